package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.assertBitwiseEqual;
import static dev.clipengine.kernels.KernelTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Determinism: bitwise the same results run after run, from separate instances, and in
 * interpreted and compiled code; and, for the backends that promise it, for every thread count.
 */
class DeterminismTest {

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#threadPairs")
    void oneAndTwoThreadsGiveTheSameBits(Backend one, Backend two) {
        assumeFalse(KernelTesting.threadDependent(one.name()), () -> one.name() + " splits its products differently "
                + "for each thread count: it promises the same bits only at the same thread count, tested by "
                + "twoInstancesAtTheSameThreadCountGiveTheSameBits");
        assertEquals(1, one.threads());
        assertEquals(2, two.threads());
        assertSameBits(one, two);
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#sameThreadCountPairs")
    void twoInstancesAtTheSameThreadCountGiveTheSameBits(Backend first, Backend second) {
        assertEquals(first.threads(), second.threads());
        assertSameBits(first, second);
        // and again on the same instances, whose buffers and threads are now warm
        assertSameBits(second, first);
    }

    /** The products are large enough to be split over 2 threads, by columns, by rows and across k-blocks. */
    private static void assertSameBits(Backend one, Backend two) {
        Random random = new Random(91);
        int[][] shapes = {{300, 300, 300}, {600, 48, 200}, {257, 129, 67}, {130, 200, 400}};
        for (int[] shape : shapes) {
            assertTrue(SplitCountingVectorBackend.productSplits(shape[0], shape[1], shape[2]),
                    () -> "the vector backend splits " + Arrays.toString(shape));
        }
        int size = 300_007;
        assertTrue(SplitCountingVectorBackend.updateSplits(size), "the vector backend splits the update");
        for (int[] shape : shapes) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            float[] a = random(random, m * k);
            float[] b = random(random, k * n);
            float[] c = random(random, m * n);
            for (int t = 0; t < 4; t++) {
                boolean transA = t >= 2;
                boolean transB = t % 2 == 1;
                float[] c1 = c.clone();
                float[] c2 = c.clone();
                one.sgemm(transA, transB, m, n, k, 1.25f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0.5f, c1, 0, n);
                two.sgemm(transA, transB, m, n, k, 1.25f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0.5f, c2, 0, n);
                assertBitwiseEqual("sgemm " + t + " " + m + "x" + n + "x" + k, c1, c2);
            }
        }
        float[] w1 = random(random, size);
        float[] w2 = w1.clone();
        float[] m1 = new float[size];
        float[] m2 = new float[size];
        float[] v1 = new float[size];
        float[] v2 = new float[size];
        for (int step = 0; step < 2; step++) {
            float[] g = random(random, size);
            one.adamwStep(size, w1, g, m1, v1, 1e-3f, 0.9f, 0.98f, 1e-6f, 0.1f, 0.1f, 0.02f);
            two.adamwStep(size, w2, g, m2, v2, 1e-3f, 0.9f, 0.98f, 1e-6f, 0.1f, 0.1f, 0.02f);
            one.sgdStep(size, w1, g, m1, 0.01f, 0.9f, 0.01f);
            two.sgdStep(size, w2, g, m2, 0.01f, 0.9f, 0.01f);
        }
        assertBitwiseEqual("optimizer weights", w1, w2);
        assertBitwiseEqual("optimizer first moments", m1, m2);
        assertBitwiseEqual("optimizer second moments", v1, v2);
        assertEquals(DeterminismProbe.checksums(one), DeterminismProbe.checksums(two));
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void theSameBitsRunAfterRunAsTheJitWarmsUp(Backend backend) {
        String first = DeterminismProbe.checksums(backend);
        for (int i = 0; i < 2000; i++) {
            DeterminismProbe.checksums(backend);
        }
        assertEquals(first, DeterminismProbe.checksums(backend));
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void theSameBitsAsAnInterpretedRun(Backend backend) throws IOException, InterruptedException {
        for (int i = 0; i < 500; i++) {
            DeterminismProbe.checksums(backend);
        }
        String compiled = DeterminismProbe.checksums(backend);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xint"));
        // the child must find the same backends as this JVM: a module's tests configure theirs
        // (library paths, cache folder, backend list) through clip.* system properties
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("clip.")) {
                command.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DeterminismProbe.class.getName(),
                backend.name(), Integer.toString(backend.threads())));
        Path errors = Files.createTempFile("determinism-probe", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the interpreted run did not end in 120 s; its standard error:\n" + Files.readString(errors));
            }
            assertEquals(0, process.exitValue(), () -> "the interpreted run failed; its standard error:\n"
                    + readQuietly(errors));
            List<String> interpreted = new String(output, StandardCharsets.UTF_8).lines().toList();
            assertEquals(compiled.lines().toList(), interpreted);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}

package dev.clipengine.training;

import dev.clipengine.io.ModelFile;
import dev.clipengine.kernels.SplitCountingVectorBackend;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"scalar, adamw", "vector, adamw", "scalar, sgd", "vector, sgd"})
    void shortTrainingLowersTheLoss(String backend, String optimizer) {
        double[] losses = TrainingRuns.train(backend, 2, optimizer, 60).losses();
        double first = mean(losses, 0, 10);
        double last = mean(losses, losses.length - 10, losses.length);
        assertTrue(last < 0.9 * first, backend + "/" + optimizer + ": loss went from " + first + " to " + last);
    }

    @Test
    void backendsAgreeForTwentySteps() {
        double[] scalar = TrainingRuns.train("scalar", 1, "adamw", 20).losses();
        double[] vector = TrainingRuns.train("vector", 2, "adamw", 20).losses();
        for (int i = 0; i < 20; i++) {
            assertEquals(scalar[i], vector[i], 1e-4 * Math.abs(scalar[i]), "step " + (i + 1));
        }
    }

    @Test
    void repeatedRunsAreBitwiseIdenticalColdOrWarm(@TempDir Path dir) throws Exception {
        for (String backend : List.of("vector", "scalar")) {
            Path cold = dir.resolve(backend + "-cold.safetensors");
            runInFreshJvm(backend, cold);
            ClipModel warm1 = TrainingRuns.train(backend, 2, "adamw", 25).model();
            ClipModel warm2 = TrainingRuns.train(backend, 2, "adamw", 25).model();
            assertBitwiseEqual(warm1, warm2, backend + ", two runs in one JVM");
            assertBitwiseEqual(ModelFile.load(cold), warm2, backend + ", a fresh JVM and a warm one");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"adamw", "sgd"})
    void vectorResultsDoNotDependOnTheThreadCount(String optimizer) {
        int steps = 15;
        try (SplitCountingVectorBackend one = new SplitCountingVectorBackend(1);
             SplitCountingVectorBackend two = new SplitCountingVectorBackend(2)) {
            ClipModel oneThread = TrainingRuns.train(one, TrainingRuns.SPLIT_CONFIG, optimizer, steps).model();
            ClipModel twoThreads = TrainingRuns.train(two, TrainingRuns.SPLIT_CONFIG, optimizer, steps).model();
            // the comparison shows something only if the second run really shared its work between threads
            assertTrue(two.splitProducts() >= 2L * steps, "products split over 2 threads: " + two.splitProducts()
                    + " (largest: " + two.largestProduct() + " multiply-adds)");
            assertTrue(two.splitUpdates() >= steps, "optimizer updates split over 2 threads: " + two.splitUpdates()
                    + " (largest: " + two.largestUpdate() + " elements)");
            assertBitwiseEqual(oneThread, twoThreads, "1 and 2 threads");
        }
    }

    private static void runInFreshJvm(String backend, Path out) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        // the same vector width as this JVM's, when a run narrows it
        String bits = System.getProperty("clip.vector.bits");
        if (bits != null) {
            command.add("-Dclip.vector.bits=" + bits);
        }
        command.addAll(List.of(TrainingRuns.class.getName(), backend, "2", "adamw", "25", out.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the fresh JVM did not finish");
        assertEquals(0, process.exitValue(), output);
    }

    static void assertBitwiseEqual(ClipModel expected, ClipModel actual, String what) {
        for (Tensor t : expected.tensors()) {
            float[] a = t.data();
            float[] b = actual.tensor(t.name()).data();
            int[] aBits = new int[a.length];
            int[] bBits = new int[b.length];
            for (int i = 0; i < a.length; i++) {
                aBits[i] = Float.floatToRawIntBits(a[i]);
            }
            for (int i = 0; i < b.length; i++) {
                bBits[i] = Float.floatToRawIntBits(b[i]);
            }
            assertArrayEquals(aBits, bBits, what + ": " + t.name());
        }
    }

    private static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }
}

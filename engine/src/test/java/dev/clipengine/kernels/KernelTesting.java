package dev.clipengine.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/** What the kernel tests share: the backends under test, random data and the tolerance check of docs/model.md. */
public final class KernelTesting {

    /** The reference every backend is compared with. */
    static final Backend REFERENCE = new ScalarBackend();

    /**
     * Every backend under test, by name. A new backend is tested everywhere once it is added here;
     * those other modules register ({@link Backends#providers()}) are added when on the class path,
     * so a module can run these tests on its own backends. The system property
     * {@code clip.kernel.backends} (names, comma-separated) narrows the list.
     */
    static final Map<String, IntFunction<Backend>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("vector", VectorBackend::new);
        for (BackendProvider provider : Backends.providers()) {
            if (!provider.name().equals("scalar") && !FACTORIES.containsKey(provider.name())) {
                String reason = provider.unavailableReason();
                if (reason != null) {
                    throw new IllegalStateException("backend " + provider.name() + " cannot be tested: " + reason);
                }
                FACTORIES.put(provider.name(), provider::create);
            }
        }
        String selected = System.getProperty("clip.kernel.backends");
        if (selected != null && !selected.isBlank()) {
            FACTORIES.keySet().retainAll(List.of(selected.split(",")));
        }
    }

    /** Sizes that catch tail handling: 1, primes, and around the vector width of 16 floats. */
    static final int[] AWKWARD_SIZES = {1, 7, 13, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 67, 127};

    static final double ELEMENTWISE_TOLERANCE = 1e-5;

    private KernelTesting() {
    }

    /**
     * The backends under test with 1 and 2 threads, for {@code @MethodSource}: new instances each
     * time, since JUnit closes a test's arguments when it ends.
     */
    public static Stream<Named<Backend>> backendsUnderTest() {
        return FACTORIES.values().stream()
                .flatMap(factory -> Stream.of(factory.apply(1), factory.apply(2)))
                .map(backend -> Named.of(backend.describe(), backend));
    }

    /**
     * The reference itself, then every backend under test: for properties the reference must
     * have too (a gradient that adds, finite differences), not only agreement with it.
     */
    public static Stream<Named<Backend>> referenceAndBackendsUnderTest() {
        return Stream.concat(Stream.of(Named.of("scalar", new ScalarBackend())), backendsUnderTest());
    }

    /**
     * Each backend under test as the pair (1 thread, 2 threads), for {@code @MethodSource}, named
     * after the backend.
     */
    static Stream<Arguments> threadPairs() {
        return FACTORIES.entrySet().stream()
                .map(e -> Arguments.of(Named.of(e.getKey(), e.getValue().apply(1)), e.getValue().apply(2)));
    }

    /**
     * Each backend under test as two separate instances of 2 threads, for {@code @MethodSource}:
     * what every backend must give the same bits for.
     */
    static Stream<Arguments> sameThreadCountPairs() {
        return FACTORIES.entrySet().stream()
                .map(e -> Arguments.of(Named.of(e.getKey(), e.getValue().apply(2)), e.getValue().apply(2)));
    }

    /**
     * Whether a backend's results may change with its thread count: those named in the system
     * property {@code clip.kernel.threadDependent} (OpenBLAS splits a product's sums differently
     * for each thread count, so its backends promise the same bits only at the same count).
     */
    static boolean threadDependent(String backendName) {
        return List.of(System.getProperty("clip.kernel.threadDependent", "").split(",")).contains(backendName);
    }

    /** The tolerance (docs/model.md) for a product or sum of depth k. */
    static double depthTolerance(int k) {
        return 1e-5 * Math.sqrt(Math.max(1, k));
    }

    static float[] random(Random random, int n) {
        return random(random, n, -1f, 1f);
    }

    static float[] random(Random random, int n, float low, float high) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = low + (high - low) * random.nextFloat();
        }
        return values;
    }

    /**
     * The comparison of docs/model.md, {@code max|actual - expected| <= tolerance * max(1, max|expected|)},
     * over whole arrays. NaN must match NaN, and infinities must match exactly.
     */
    static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        if (expected.length != actual.length) {
            fail(what + ": lengths differ, " + expected.length + " vs " + actual.length);
        }
        double scale = 1;
        for (float e : expected) {
            if (Float.isFinite(e)) {
                scale = Math.max(scale, Math.abs(e));
            }
        }
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.isNaN(e) || Float.isInfinite(e) || Float.isNaN(a) || Float.isInfinite(a)) {
                if (Float.compare(e, a) != 0) {
                    fail(what + ": at " + i + " expected " + e + " but was " + a);
                }
                continue;
            }
            double difference = Math.abs((double) a - e);
            if (difference > worst) {
                worst = difference;
                worstIndex = i;
            }
        }
        if (worst > tolerance * scale) {
            fail(what + ": max difference " + worst + " at " + worstIndex + " (expected " + expected[worstIndex]
                    + ", was " + actual[worstIndex] + ") exceeds " + tolerance + " * " + scale);
        }
    }

    /** Bit-for-bit equality, NaN payloads included. */
    static void assertBitwiseEqual(String what, float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            fail(what + ": lengths differ, " + expected.length + " vs " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": differs at " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}

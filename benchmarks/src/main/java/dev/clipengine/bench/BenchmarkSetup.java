package dev.clipengine.bench;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import java.util.SplittableRandom;

/** What every benchmark's setup needs: a backend by name, and random inputs that are the same every run. */
public final class BenchmarkSetup {

    /** Fixed, so that every run times the same numbers. */
    private static final long SEED = 1;

    private BenchmarkSetup() {
    }

    /** The backend the command line's {@code --backend NAME --threads N} would give. */
    public static Backend backend(String name, int threads) {
        return Backends.create(name, threads);
    }

    public static SplittableRandom random() {
        return new SplittableRandom(SEED);
    }

    /** Uniform in [-1, 1): the range of activations and gradients, far from overflow and subnormals. */
    public static float[] randomFloats(SplittableRandom random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }

    /** Uniform in [0, bound). */
    public static int[] randomInts(SplittableRandom random, int size, int bound) {
        int[] values = new int[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextInt(bound);
        }
        return values;
    }
}

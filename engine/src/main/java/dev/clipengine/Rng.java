package dev.clipengine;

/**
 * A small, fast random generator (SplitMix64) whose whole state is
 * one {@code long}, so runs repeat exactly from a seed and a checkpoint can store where it was.
 * Not for cryptography.
 */
public final class Rng {

    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** The current state; {@code new Rng(rng.state())} continues the same sequence. */
    public long state() {
        return state;
    }

    /** A fresh generator for a sub-task, so adding draws to one stream never shifts another. */
    public Rng fork(long salt) {
        return new Rng(mix(state ^ mix(salt + 0x632BE59BD9B4E019L)));
    }

    public long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        // Lemire's multiply-shift; the bias is below 2^-32 for any int bound
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal, by Box-Muller with {@link StrictMath}, so every JVM draws the same values. */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // in (0, 1]: log stays finite
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
    }

    /** Fisher-Yates shuffle of the first n entries. */
    public void shuffle(int[] values, int n) {
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

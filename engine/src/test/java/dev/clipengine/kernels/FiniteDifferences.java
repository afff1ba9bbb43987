package dev.clipengine.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * Gradient checks of the operators: central differences of a scalar loss computed in double
 * precision by the test itself, to compare with a backend's backward pass.
 */
public final class FiniteDifferences {

    /**
     * The step in double: the truncation error of a central difference is about
     * {@code step^2 / 6 |f'''|}, here near 1e-9 for losses of a few units, and the rounding error
     * {@code 1e-16 |f| / step} near 1e-12; both far below the float gradient's own error.
     */
    static final double STEP = 1e-4;

    /**
     * The tolerance of a float gradient against the numeric one, relative to the largest numeric
     * element: the backward passes here are good to below 1e-6 of that (measured: at most 7e-7),
     * while a wrong or missing term shows as an error of the size of the term, far above it.
     */
    static final double TOLERANCE = 1e-5;

    private FiniteDifferences() {
    }

    /** d loss / d values[i] for every i, by central differences; each value is restored after its pair. */
    static double[] gradient(double[] values, DoubleSupplier loss) {
        return gradient(values, loss, STEP);
    }

    /** As {@link #gradient(double[], DoubleSupplier)}, with steps of {@code step}. */
    public static double[] gradient(double[] values, DoubleSupplier loss, double step) {
        double[] gradient = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            double saved = values[i];
            values[i] = saved + step;
            double plus = loss.getAsDouble();
            values[i] = saved - step;
            double minus = loss.getAsDouble();
            values[i] = saved;
            gradient[i] = (plus - minus) / (2 * step);
        }
        return gradient;
    }

    /**
     * {@code max|analytic - numeric| <= TOLERANCE * max(max|numeric|, 1e-3)} over the first
     * {@code numeric.length} elements of analytic; the floor keeps a gradient that is exactly 0
     * from asking for an exact 0 back.
     */
    static void assertGradient(String what, double[] numeric, float[] analytic) {
        double largest = 0;
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < numeric.length; i++) {
            largest = Math.max(largest, Math.abs(numeric[i]));
            double error = Math.abs(analytic[i] - numeric[i]);
            if (!(error <= worst)) {
                worst = error;
                worstIndex = i;
            }
        }
        double scale = Math.max(largest, 1e-3);
        if (!(worst <= TOLERANCE * scale)) {
            fail(what + ": analytic and numeric gradients differ by " + worst + " at " + worstIndex + " (analytic "
                    + analytic[worstIndex] + ", numeric " + numeric[worstIndex] + "), more than " + TOLERANCE
                    + " * " + scale);
        }
    }

    static double[] toDouble(float[] values, int n) {
        double[] result = new double[n];
        for (int i = 0; i < n; i++) {
            result[i] = values[i];
        }
        return result;
    }

    /** Random weights of the loss {@code sum w y}, floats so that the backend's dy is exactly w. */
    static float[] weights(Random random, int n) {
        return KernelTesting.random(random, n);
    }

    static double weightedSum(float[] w, double[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += w[i] * y[i];
        }
        return sum;
    }
}

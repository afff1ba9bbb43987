package dev.clipengine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The vector exp against StrictMath, in ulps, and at its special values. */
class VectorMathTest {

    private static final int LANES = VectorMath.SPECIES.length();

    @Test
    void expIsWithinTwoUlpsOverTheNormalRange() {
        Random random = new Random(71);
        float[] x = new float[LANES * 20_000];
        for (int i = 0; i < x.length; i++) {
            // exp(x) is a normal float for x in about [-87.3, 88.7]
            x[i] = i % 4 == 0 ? -87f + 175.5f * random.nextFloat() : -10f + 20f * random.nextFloat();
        }
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += LANES) {
            VectorMath.exp(FloatVector.fromArray(VectorMath.SPECIES, x, i)).intoArray(y, i);
        }
        long worst = 0;
        for (int i = 0; i < x.length; i++) {
            float expected = (float) StrictMath.exp(x[i]);
            long ulps = Math.abs((long) Float.floatToIntBits(expected) - Float.floatToIntBits(y[i]));
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulps");
    }

    @Test
    void expAtSpecialValues() {
        float[] x = {0f, -0f, 1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 88.7f, 88.8f, -87.5f,
                -103.9f, -104f, -200f, 1e-8f, -1e-8f, 89f, -1e30f};
        float[] padded = new float[(x.length + LANES - 1) / LANES * LANES];
        System.arraycopy(x, 0, padded, 0, x.length);
        float[] y = new float[padded.length];
        for (int i = 0; i < padded.length; i += LANES) {
            VectorMath.exp(FloatVector.fromArray(VectorMath.SPECIES, padded, i)).intoArray(y, i);
        }
        for (int i = 0; i < x.length; i++) {
            float expected = (float) StrictMath.exp(x[i]);
            if (Float.isNaN(expected) || Float.isInfinite(expected) || expected == 0f || expected == 1f) {
                assertEquals(expected, y[i], "exp(" + x[i] + ")");
            } else {
                // subnormal results may lose bits; everything else must be close
                assertEquals(expected, y[i], Math.max(Math.ulp(expected) * 2, Float.MIN_NORMAL), "exp(" + x[i] + ")");
            }
        }
    }

    @Test
    void lanesAreSummedLeftToRight() {
        float[] values = new float[LANES];
        values[0] = 1e8f;
        for (int i = 1; i < LANES; i++) {
            values[i] = 1f;
        }
        float expected = 0f;
        for (float v : values) {
            expected += v;
        }
        float sum = VectorMath.sumLanes(values);
        assertEquals(expected, sum);
    }
}

package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector math whose results repeat bit for bit. {@code lanewise(EXP)} and
 * {@code reduceLanes(ADD)} may round differently in interpreted and compiled code, so this class
 * builds exp from additions, multiplications and FMAs (each exactly rounded in both) and sums lanes
 * in a fixed order.
 */
final class VectorMath {

    static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;

    private static final float LOG2_E = 1.44269504088896341f;
    /** ln 2 split so that {@code n * LN2_HIGH} is exact for the n that occur. */
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    /** Adding 1.5 * 2^23 rounds a float below 2^22 in magnitude to an integer, left in the low mantissa bits. */
    private static final float ROUNDING_SHIFT = 0x1.8p23f;
    private static final int ROUNDING_SHIFT_BITS = Float.floatToRawIntBits(ROUNDING_SHIFT);
    /** exp(x) rounds to +0 below this: -150 ln 2, half the smallest subnormal. */
    private static final float EXP_UNDERFLOW = -103.972077f;
    /** Above this exp(x) overflows; clamping here keeps the exponent arithmetic in range. */
    private static final float EXP_CLAMP_HIGH = 89f;

    // Cephes' minimax polynomial for (exp(r) - 1 - r) / r^2 on |r| <= ln(2) / 2
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private VectorMath() {
    }

    /**
     * e^x lane by lane, within 2 ulp for normal results; results below the smallest normal may
     * lose precision and underflow to +0 below {@link #EXP_UNDERFLOW}. NaN gives NaN, +inf gives
     * +inf, -inf gives +0.
     */
    static FloatVector exp(FloatVector x) {
        // clamping first keeps n within the int arithmetic below; NaN passes through both
        FloatVector clamped = x.max(EXP_UNDERFLOW - 1f).min(EXP_CLAMP_HIGH);
        // x = n ln2 + r with n = round(x / ln2) and |r| <= ln2 / 2
        FloatVector shifted = clamped.fma(LOG2_E, ROUNDING_SHIFT);
        FloatVector n = shifted.sub(ROUNDING_SHIFT);
        FloatVector r = n.fma(broadcast(-LN2_HIGH), clamped);
        r = n.fma(broadcast(-LN2_LOW), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, broadcast(P2));
        p = p.fma(r, broadcast(P3));
        p = p.fma(r, broadcast(P4));
        p = p.fma(r, broadcast(P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        // 2^n as two factors 2^(n/2) and 2^(n - n/2): n ranges over [-151, 128], beyond one float exponent
        IntVector ni = shifted.reinterpretAsInts().sub(ROUNDING_SHIFT_BITS);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector rest = ni.sub(half);
        FloatVector scale1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = rest.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector result = y.mul(scale1).mul(scale2);
        VectorMask<Float> underflow = x.compare(VectorOperators.LT, EXP_UNDERFLOW);
        return result.blend(0f, underflow);
    }

    private static FloatVector broadcast(float value) {
        return FloatVector.broadcast(SPECIES, value);
    }

    /*
     * The cross-lane steps take the lanes already stored to an array, never a FloatVector: a
     * vector passed to a method that C2 does not inline (a caller past its inlining budget, a call
     * site it deems cold, or code not yet compiled by C2) is boxed on the heap, and a kernel that
     * did that once per row allocated a vector's worth of bytes per row in the steady state.
     */

    /** The sum of the first vector's length of lanes, added left to right. */
    static float sumLanes(float[] lanes) {
        float sum = 0f;
        for (int i = 0; i < SPECIES.length(); i++) {
            sum += lanes[i];
        }
        return sum;
    }

    /** The largest of the first vector's length of lanes, NaN if any is NaN. */
    static float maxLanes(float[] lanes) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < SPECIES.length(); i++) {
            max = Math.max(max, lanes[i]);
        }
        return max;
    }
}

package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GELU and QuickGELU with their derivatives ({@link Backend#activation}) with the Vector API,
 * spread over the worker pool in chunks. exp is {@link VectorMath#exp}; erf is Abramowitz and
 * Stegun's 7.1.26 (absolute error below 1.5e-7), built from the same exactly rounded operations,
 * so results repeat bit for bit. The last elements, fewer than a vector, go through the same
 * vector code under a mask, so every element is computed alike.
 */
final class VectorActivation implements WorkerPool.Task {

    private static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    private static final int LANES = SPECIES.length();
    /** Elements a part takes: a few microseconds of work each. */
    private static final int CHUNK = 1 << 13;

    private static final float SQRT_HALF = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;
    private static final float ERF_P = 0.3275911f;
    private static final float A1 = 0.254829592f;
    private static final float A2 = -0.284496736f;
    private static final float A3 = 1.421413741f;
    private static final float A4 = -1.453152027f;
    private static final float A5 = 1.061405429f;

    private final WorkerPool pool;

    // the call in progress
    private boolean backward;
    private Activation kind;
    private int n;
    private float[] x;
    private float[] y;
    private float[] dy;

    VectorActivation(WorkerPool pool) {
        this.pool = pool;
    }

    void forward(Activation kind, int n, float[] x, float[] y) {
        this.backward = false;
        start(kind, n, x, y, null);
    }

    /** Writes {@code dx = dy act'(x)} into y's place. */
    void backward(Activation kind, int n, float[] x, float[] dy, float[] dx) {
        this.backward = true;
        start(kind, n, x, dx, dy);
    }

    private void start(Activation kind, int n, float[] x, float[] y, float[] dy) {
        this.kind = kind;
        this.n = n;
        this.x = x;
        this.y = y;
        this.dy = dy;
        try {
            pool.run(this, (n + CHUNK - 1) / CHUNK);
        } finally {
            this.x = this.y = this.dy = null;
        }
    }

    @Override
    public void run(int part, int worker) {
        int start = part * CHUNK;
        int end = Math.min(n, start + CHUNK);
        int body = start + SPECIES.loopBound(end - start);
        // whole vectors without a mask: AVX2 has no cheap masked store, and one per vector cost
        // more than the arithmetic. Each loop is a method of its own, so that C2's inlining budget
        // covers all of exp (a call left out of line boxes every vector it takes).
        if (backward) {
            backwardVectors(start, body);
        } else {
            forwardVectors(start, body);
        }
        if (body < end) {
            lastElements(body, end);
        }
    }

    private void forwardVectors(int from, int to) {
        for (int i = from; i < to; i += LANES) {
            value(kind, FloatVector.fromArray(SPECIES, x, i)).intoArray(y, i);
        }
    }

    private void backwardVectors(int from, int to) {
        for (int i = from; i < to; i += LANES) {
            FloatVector.fromArray(SPECIES, dy, i).mul(slope(kind, FloatVector.fromArray(SPECIES, x, i)))
                    .intoArray(y, i);
        }
    }

    /** The elements past the last whole vector, through the same arithmetic under a mask. */
    private void lastElements(int from, int to) {
        VectorMask<Float> valid = SPECIES.indexInRange(from, to);
        FloatVector v = FloatVector.fromArray(SPECIES, x, from, valid);
        FloatVector result = backward
                ? FloatVector.fromArray(SPECIES, dy, from, valid).mul(slope(kind, v))
                : value(kind, v);
        result.intoArray(y, from, valid);
    }

    /** act(v). */
    private static FloatVector value(Activation kind, FloatVector v) {
        if (kind == Activation.QUICK_GELU) {
            return v.mul(sigmoid(v.mul(Activation.QUICK_GELU_FACTOR)));
        }
        return v.mul(erf(v.mul(SQRT_HALF)).add(1f).mul(0.5f));
    }

    /** act'(v). */
    private static FloatVector slope(Activation kind, FloatVector v) {
        if (kind == Activation.QUICK_GELU) {
            // s + 1.702 x s (1 - s)
            FloatVector s = sigmoid(v.mul(Activation.QUICK_GELU_FACTOR));
            return v.mul(Activation.QUICK_GELU_FACTOR).mul(s).fma(s.neg().add(1f), s);
        }
        // Phi(x) + x phi(x)
        FloatVector cdf = erf(v.mul(SQRT_HALF)).add(1f).mul(0.5f);
        FloatVector density = VectorMath.exp(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
        return v.fma(density, cdf);
    }

    private static FloatVector sigmoid(FloatVector z) {
        // 1 / (1 + e^-z): for very negative z e^-z is +inf and the result the exact 0
        return FloatVector.broadcast(SPECIES, 1f).div(VectorMath.exp(z.neg()).add(1f));
    }

    /** erf by Abramowitz and Stegun 7.1.26: {@code 1 - t (a1 + t (a2 + ...)) e^(-x^2)}, {@code t = 1 / (1 + p|x|)}. */
    private static FloatVector erf(FloatVector z) {
        FloatVector a = z.abs();
        FloatVector t = a.fma(ERF_P, 1f);
        t = FloatVector.broadcast(SPECIES, 1f).div(t);
        FloatVector poly = t.fma(A5, A4);
        poly = poly.fma(t, FloatVector.broadcast(SPECIES, A3));
        poly = poly.fma(t, FloatVector.broadcast(SPECIES, A2));
        poly = poly.fma(t, FloatVector.broadcast(SPECIES, A1));
        poly = poly.mul(t);
        FloatVector magnitude = poly.mul(VectorMath.exp(a.mul(a).neg())).neg().add(1f);
        return magnitude.blend(magnitude.neg(), z.compare(VectorOperators.LT, 0f));
    }
}

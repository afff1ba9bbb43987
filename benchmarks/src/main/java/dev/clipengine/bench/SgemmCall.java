package dev.clipengine.bench;

import dev.clipengine.kernels.Backend;

/** One product of a given shape on a backend, with random operands, tightly packed, ready to repeat. */
final class SgemmCall implements AutoCloseable {

    private final GemmShape shape;
    private final Backend backend;
    private final float[] a;
    private final float[] b;
    private final float[] c;

    SgemmCall(GemmShape shape, Backend backend) {
        var random = BenchmarkSetup.random();
        this.shape = shape;
        this.backend = backend;
        this.a = BenchmarkSetup.randomFloats(random, shape.aSize());
        this.b = BenchmarkSetup.randomFloats(random, shape.bSize());
        this.c = new float[shape.cSize()];
    }

    /** {@code C = op(A) op(B)}; returns C so the work cannot be optimised away. */
    float[] run() {
        backend.sgemm(shape.transA(), shape.transB(), shape.m(), shape.n(), shape.k(), 1f, a, 0, shape.lda(),
                b, 0, shape.ldb(), 0f, c, 0, shape.n());
        return c;
    }

    @Override
    public void close() {
        backend.close();
    }
}

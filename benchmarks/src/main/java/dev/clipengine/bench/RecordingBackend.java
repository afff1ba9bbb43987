package dev.clipengine.bench;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.ForwardingBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend that computes on another and notes the shape of every {@code sgemm} it is asked for,
 * so that the products of a training step are read from the model itself, never listed by hand.
 */
public final class RecordingBackend extends ForwardingBackend {

    private final List<GemmShape> products = new ArrayList<>();

    public RecordingBackend(Backend delegate) {
        super(delegate);
    }

    /** Every non-empty product asked for so far, in call order, repeats included. */
    public List<GemmShape> products() {
        return List.copyOf(products);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        // an empty product does no arithmetic, so it has no shape worth measuring
        if (m > 0 && n > 0 && k > 0) {
            products.add(new GemmShape(transA, transB, m, n, k));
        }
        delegate.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }
}

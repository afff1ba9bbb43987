package dev.clipengine.blas;

import dev.clipengine.kernels.MatrixProduct;
import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * {@code javacpp}: the same {@code cblas_sgemm} as {@code blas}, from the same bytedeco jar, but
 * called through JavaCPP's generated JNI binding, so that the two call paths can be compared on
 * identical native code. Creating one loads JavaCPP's JNI bridges ({@code libjnijavacpp},
 * {@code libjniopenblas_nolapack}, the binding without LAPACK).
 *
 * <p>Products use the binding's {@code float[]} overload, the one that takes the engine's arrays
 * as they are (see docs/openblas.md for its measured cost against the pointer overload); a
 * matrix at a non-zero offset goes through the heap {@link FloatBuffer} overload, which the
 * binding reads at the buffer's position. This is the matrix-product strategy of the
 * {@code javacpp} backend, whose other operators are the Vector API kernels.
 */
final class JavaCppProduct implements MatrixProduct {

    private final int threads;

    JavaCppProduct(int threads) {
        this.threads = threads;
        JavaCppOpenBlas.setThreads(threads);
    }

    @Override
    public String describe() {
        int openBlasThreads = JavaCppOpenBlas.threads();
        return openblas_nolapack.OPENBLAS_VERSION.strip() + " through JavaCPP's JNI binding, "
                + openBlasThreads + (openBlasThreads == 1 ? " thread" : " threads");
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        JavaCppOpenBlas.setThreads(threads);
        int ta = transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int tb = transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        if ((aOffset | bOffset | cOffset) == 0) {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb,
                    beta, c, ldc);
        } else {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, alpha,
                    FloatBuffer.wrap(a).position(aOffset), lda, FloatBuffer.wrap(b).position(bOffset), ldb,
                    beta, FloatBuffer.wrap(c).position(cOffset), ldc);
        }
    }
}

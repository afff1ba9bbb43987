package dev.clipengine.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clipengine.kernels.Backend;
import org.junit.jupiter.api.Test;

/**
 * {@code --threads N} reaches OpenBLAS on both call paths. The two backends load separate copies
 * of the library (the FFM one from the clip-engine cache, JavaCPP's from its own), each with its
 * own process-wide setting, so each backend must set its own copy and leave the other alone.
 */
class ThreadCountTest {

    @Test
    void eachBackendSetsTheThreadsOfItsOwnCopy() {
        try (Backend blas = new BlasBackendProvider().create(1); Backend javacpp = new JavaCppBackendProvider().create(2)) {
            assertEquals(1, OpenBlas.threads(), "the FFM copy");
            assertEquals(2, JavaCppOpenBlas.threads(), "JavaCPP's copy");
            multiply(blas);
            multiply(javacpp);
            assertEquals(1, OpenBlas.threads(), "the FFM copy after both multiplied");
            assertEquals(2, JavaCppOpenBlas.threads(), "JavaCPP's copy after both multiplied");
        }
        try (Backend blas = new BlasBackendProvider().create(2); Backend javacpp = new JavaCppBackendProvider().create(1)) {
            multiply(blas);
            multiply(javacpp);
            assertEquals(2, OpenBlas.threads(), "the FFM copy");
            assertEquals(1, JavaCppOpenBlas.threads(), "JavaCPP's copy");
        }
    }

    private static void multiply(dev.clipengine.kernels.Backend backend) {
        float[] c = new float[4];
        backend.sgemm(false, false, 2, 2, 2, 1f, new float[] {1, 2, 3, 4}, 0, 2, new float[] {1, 0, 0, 1}, 0, 2, 0f,
                c, 0, 2);
        assertEquals(4f, c[3]);
    }
}

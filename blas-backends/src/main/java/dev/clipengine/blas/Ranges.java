package dev.clipengine.blas;

/**
 * The range checks a native product needs, on lengths rather than arrays so that heap arrays and
 * native segments share them: native code must never be handed a range outside the data. A bad
 * argument throws {@link IllegalArgumentException} naming it.
 */
final class Ranges {

    private Ranges() {
    }

    static void checkProduct(boolean transA, boolean transB, int m, int n, int k,
                             long aLength, int aOffset, int lda, long bLength, int bOffset, int ldb,
                             long cLength, int cOffset, int ldc) {
        nonNegative("m", m);
        nonNegative("n", n);
        nonNegative("k", k);
        checkMatrix("A", "lda", aLength, aOffset, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", "ldb", bLength, bOffset, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", "ldc", cLength, cOffset, ldc, m, n);
    }

    private static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    private static void checkMatrix(String name, String ldName, long length, int offset, int ld, int rows, int cols) {
        if (offset < 0) {
            throw new IllegalArgumentException(name + " offset must be >= 0, got " + offset);
        }
        // cblas rejects ld < max(1, cols) with a message on stderr; refuse it here instead
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(ldName + " = " + ld + " is less than the " + cols + " columns of " + name);
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long end = offset + (long) (rows - 1) * ld + cols;
        if (end > length) {
            throw new IllegalArgumentException(name + " needs " + end + " elements (offset " + offset + ", "
                    + rows + " x " + cols + ", " + ldName + " " + ld + ") but has " + length);
        }
    }
}

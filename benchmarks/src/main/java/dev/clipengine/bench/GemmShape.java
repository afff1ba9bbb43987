package dev.clipengine.bench;

/**
 * The shape of one row-major {@code sgemm}: {@code C[m, n] = op(A)[m, k] op(B)[k, n]}.
 *
 * <p>Written {@code m}x{@code n}x{@code k}, or one number for a square product; a {@code T} after
 * a side means that operand is stored transposed: {@code 4096x512Tx49} is a layer's forward
 * {@code X W^T}, {@code 512Tx49x4096} its weight gradient {@code dY^T X}.
 */
public record GemmShape(boolean transA, boolean transB, int m, int n, int k) {

    private static final String TRANSPOSED = "T";

    public GemmShape {
        if (m < 1 || n < 1 || k < 1) {
            throw new IllegalArgumentException("a product's sides must be positive: m " + m + ", n " + n + ", k " + k);
        }
    }

    /** Reads the notation above, e.g. {@code 512} or {@code 256Tx64x256}. */
    public static GemmShape parse(String text) {
        String[] sides = text.strip().split("x");
        if (sides.length == 1) {
            int size = side(text, sides[0]);
            return new GemmShape(false, false, size, size, size);
        }
        if (sides.length != 3 || sides[2].endsWith(TRANSPOSED)) {
            throw new IllegalArgumentException("not a product shape: '" + text + "' (e.g. 512, 4096x512Tx49)");
        }
        return new GemmShape(sides[0].endsWith(TRANSPOSED), sides[1].endsWith(TRANSPOSED),
                side(text, sides[0]), side(text, sides[1]), side(text, sides[2]));
    }

    private static int side(String text, String side) {
        String digits = side.endsWith(TRANSPOSED) ? side.substring(0, side.length() - 1) : side;
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a product shape: '" + text + "' (e.g. 512, 4096x512Tx49)", e);
        }
    }

    /** Floating-point operations of the product: a multiply and an add per term. */
    public long flops() {
        return 2L * m * n * k;
    }

    /** Elements of A as stored: {@code m x k}, or {@code k x m} when transposed. */
    public int aSize() {
        return Math.multiplyExact(m, k);
    }

    public int bSize() {
        return Math.multiplyExact(k, n);
    }

    public int cSize() {
        return Math.multiplyExact(m, n);
    }

    /** A's row length as stored, for a tightly packed A. */
    public int lda() {
        return transA ? m : k;
    }

    public int ldb() {
        return transB ? k : n;
    }

    public boolean isSquare() {
        return !transA && !transB && m == n && n == k;
    }

    @Override
    public String toString() {
        if (isSquare()) {
            return Integer.toString(m);
        }
        return m + (transA ? TRANSPOSED : "") + "x" + n + (transB ? TRANSPOSED : "") + "x" + k;
    }
}

package dev.clipengine.training;

/**
 * How a global batch of {@code count} pairs is cut into {@code shares} contiguous shares, one per
 * worker, in order: share p holds pairs {@code [start(p), start(p + 1))}, sizes differing by at
 * most one. Concatenating the shares' embeddings in share order gives the global batch's.
 */
public record GlobalBatchShares(int count, int shares) implements java.io.Serializable {

    public GlobalBatchShares {
        if (shares < 1 || count < shares) {
            throw new IllegalArgumentException("a batch of " + count + " pairs cannot be cut into " + shares
                    + " shares of at least one pair");
        }
    }

    /** The first pair of share p (p = shares gives count). */
    public int start(int p) {
        return (int) ((long) count * p / shares);
    }

    public int size(int p) {
        return start(p + 1) - start(p);
    }

    /** The largest share's size. */
    public int maxSize() {
        return (count + shares - 1) / shares;
    }
}

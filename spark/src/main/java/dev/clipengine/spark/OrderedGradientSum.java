package dev.clipengine.spark;

import java.io.Serializable;
import java.util.TreeMap;

/**
 * The sum of the partitions' gradients, always added in partition order (((g0 + g1) + g2) + ...)
 * whatever order the tasks finish in, so that a step's sum, and a rerun's, are the same bits.
 * Gradients that arrive before their predecessors wait, unsummed, until the run from partition 0
 * reaches them; only the holder of partition 0's sum ever adds.
 */
final class OrderedGradientSum implements Serializable {

    private final int partitions;
    /** The sum of partitions {@code 0 .. next-1}, or null while partition 0 has not arrived here. */
    private float[] prefix;
    private int next;
    private final TreeMap<Integer, float[]> waiting = new TreeMap<>();
    /** The longest any partition's task took to compute its gradient. */
    private long slowestNanos;

    OrderedGradientSum(int partitions) {
        this.partitions = partitions;
    }

    /** Takes partition p's gradient (a Spark seqOp). */
    OrderedGradientSum add(ShareTasks.Gradient gradient) {
        if (gradient.partition() < 0 || gradient.partition() >= partitions
                || waiting.containsKey(gradient.partition()) || (prefix != null && gradient.partition() < next)) {
            throw new IllegalStateException("partition " + gradient.partition() + "'s gradient arrived twice or is "
                    + "out of range (" + partitions + " partitions)");
        }
        waiting.put(gradient.partition(), gradient.values());
        slowestNanos = Math.max(slowestNanos, gradient.nanos());
        advance();
        return this;
    }

    /** Takes everything another partial sum holds (a Spark combOp). */
    OrderedGradientSum merge(OrderedGradientSum other) {
        if (other.prefix != null) {
            if (prefix != null) {
                throw new IllegalStateException("two sums both start at partition 0");
            }
            prefix = other.prefix;
            next = other.next;
        }
        other.waiting.forEach((p, values) -> add(new ShareTasks.Gradient(p, values, 0)));
        slowestNanos = Math.max(slowestNanos, other.slowestNanos);
        advance();
        return this;
    }

    /** The sum of every partition's gradient, once all have arrived. */
    float[] total() {
        if (prefix == null || next != partitions) {
            throw new IllegalStateException("gradients of " + (prefix == null ? 0 : next) + " of " + partitions
                    + " partitions summed");
        }
        return prefix;
    }

    long slowestNanos() {
        return slowestNanos;
    }

    private void advance() {
        if (prefix == null) {
            float[] first = waiting.remove(0);
            if (first == null) {
                return;
            }
            prefix = first;
            next = 1;
        }
        for (float[] values = waiting.remove(next); values != null; values = waiting.remove(next)) {
            if (values.length != prefix.length) {
                throw new IllegalStateException("partition " + next + " sent " + values.length + " values, not "
                        + prefix.length);
            }
            for (int i = 0; i < prefix.length; i++) {
                prefix[i] += values[i];
            }
            next++;
        }
    }
}

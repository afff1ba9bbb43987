package dev.clipengine.spark;

/**
 * Where the Spark engine's steps spend their time, summed over steps: the driver's broadcast of
 * the weights, the executors' encoding (the slowest partition's), the rest of the encode job
 * (launching tasks, fetching the weights, gathering the embeddings), the head on the driver, the
 * executors' backward (the slowest partition's) and the rest of that job (launching, sending the
 * gradients, summing them).
 */
final class StepTimes {

    private long steps;
    private long broadcast;
    private long encodeJob;
    private long encode;
    private long head;
    private long backwardJob;
    private long backward;

    void forward(long broadcastNanos, long encodeJobNanos, long slowestEncodeNanos, long headNanos) {
        steps++;
        broadcast += broadcastNanos;
        encodeJob += encodeJobNanos;
        encode += slowestEncodeNanos;
        head += headNanos;
    }

    void backward(long headNanos, long backwardJobNanos, long slowestBackwardNanos) {
        head += headNanos;
        backwardJob += backwardJobNanos;
        backward += slowestBackwardNanos;
    }

    /** The mean per step of each part, in milliseconds. */
    String describe(int partitions) {
        if (steps == 0) {
            return null;
        }
        return String.format("spark, mean per step over %d steps on %d partitions: broadcast %.1f ms, encode %.1f ms, "
                        + "gather %.1f ms, head %.1f ms, backward %.1f ms, aggregate %.1f ms", steps, partitions,
                ms(broadcast), ms(encode), ms(encodeJob - encode), ms(head), ms(backward), ms(backwardJob - backward));
    }

    private double ms(long nanos) {
        return nanos / 1e6 / steps;
    }
}

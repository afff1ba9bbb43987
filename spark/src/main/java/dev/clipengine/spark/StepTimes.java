package dev.clipengine.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the Spark engine's steps spend their time: the driver's broadcast of the weights, the
 * executors' encoding (the slowest partition's), the rest of the encode job (launching tasks,
 * fetching the weights, gathering the embeddings), the head on the driver, the executors' backward
 * (the slowest partition's) and the rest of that job (launching, sending the gradients, summing
 * them). Medians over the steps, which the first steps' compilation does not move.
 */
final class StepTimes {

    private static final String[] PARTS = {"broadcast", "encode", "gather", "head", "backward", "aggregate"};
    private final List<long[]> steps = new ArrayList<>();

    void forward(long broadcastNanos, long encodeJobNanos, long slowestEncodeNanos, long headNanos) {
        steps.add(new long[] {broadcastNanos, slowestEncodeNanos, encodeJobNanos - slowestEncodeNanos, headNanos, 0,
                0});
    }

    void backward(long headNanos, long backwardJobNanos, long slowestBackwardNanos) {
        long[] step = steps.getLast();
        step[3] += headNanos;
        step[4] = slowestBackwardNanos;
        step[5] = backwardJobNanos - slowestBackwardNanos;
    }

    /** The median per step of each part, in milliseconds; null before any step. */
    String describe(int partitions) {
        if (steps.isEmpty()) {
            return null;
        }
        StringBuilder line = new StringBuilder(String.format("spark, median per step of %d steps on %d partitions:",
                steps.size(), partitions));
        for (int part = 0; part < PARTS.length; part++) {
            long[] values = new long[steps.size()];
            for (int s = 0; s < values.length; s++) {
                values[s] = steps.get(s)[part];
            }
            Arrays.sort(values);
            line.append(String.format("%s %s %.1f ms", part == 0 ? "" : ",", PARTS[part],
                    values[values.length / 2] / 1e6));
        }
        return line.toString();
    }
}

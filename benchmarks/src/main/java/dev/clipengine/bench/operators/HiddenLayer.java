package dev.clipengine.bench.operators;

import static dev.clipengine.bench.operators.OperatorBenchmark.BATCH;
import static dev.clipengine.bench.operators.OperatorBenchmark.MODEL;

/**
 * The hidden layer of one side of the benchmark model at the benchmark batch: the rows the encoder
 * runs on (every patch of every image, or every token of every caption) and its width.
 */
record HiddenLayer(int rowsPerItem, int hidden) {

    /** By the name the {@code tower} parameters take: {@code image} or {@code text}. */
    static HiddenLayer named(String name) {
        return switch (name) {
            case "image" -> new HiddenLayer(MODEL.patchesPerImage(), MODEL.imageHidden());
            // every caption of the synthetic batch has exactly max_tokens tokens
            case "text" -> new HiddenLayer(MODEL.maxTokens(), MODEL.textHidden());
            default -> throw new IllegalArgumentException("unknown tower '" + name + "' (image, text)");
        };
    }

    int items() {
        return BATCH;
    }

    int rows() {
        return items() * rowsPerItem;
    }

    int elements() {
        return rows() * hidden;
    }

    /** Item k's rows start at {@code k * rowsPerItem}; {@code items + 1} entries. */
    int[] itemStart() {
        int[] start = new int[items() + 1];
        for (int k = 0; k <= items(); k++) {
            start[k] = k * rowsPerItem;
        }
        return start;
    }
}

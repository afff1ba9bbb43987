package dev.clipengine.spark;

import dev.clipengine.training.ShareWorker;

import java.io.Serializable;

/** What travels between the driver and one partition's task in a step, each way. */
final class ShareTasks {

    private ShareTasks() {
    }

    /**
     * Encode share {@code partition} of the global batch: the pairs {@code indices} of epoch
     * {@code epoch}, with the weights of version {@code version}.
     */
    record Encode(int partition, long version, long epoch, int[] indices) implements Serializable {
    }

    /** A share's embeddings and the time its executor took to compute them. */
    record Encoded(int partition, ShareWorker.Embeddings embeddings, long nanos) implements Serializable {
    }

    /** Back-propagate the gradients of share {@code encode.partition()}'s embeddings. */
    record Backward(Encode encode, float[] dImages, float[] dTexts) implements Serializable {
    }

    /** A share's part of every parameter's gradient (model order) and its executor's time. */
    record Gradient(int partition, float[] values, long nanos) implements Serializable {
    }
}

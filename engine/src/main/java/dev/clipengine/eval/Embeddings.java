package dev.clipengine.eval;

import dev.clipengine.model.Batch;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tokenizer;

import java.util.List;

/** Unit-length embeddings of images and captions, computed a batch at a time. */
public final class Embeddings {

    private Embeddings() {
    }

    /** Every pair's image (or caption) embedding, {@code [pairs, dim]}, each row of length 1. */
    public static float[] ofPairs(ClipGraph graph, EncodedPairs pairs, int batchSize, boolean images) {
        int dim = graph.model().config().embedDim();
        int n = pairs.size();
        float[] out = new float[n * dim];
        Batch batch = new Batch(graph.model().config(), batchSize);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            pairs.fill(batch, order, from, count);
            float[] embeddings = images ? graph.encodeImages(batch) : graph.encodeTexts(batch);
            System.arraycopy(embeddings, 0, out, from * dim, count * dim);
        }
        normalizeRows(out, n, dim);
        return out;
    }

    /** The images' embeddings, {@code [images, dim]}, each row of length 1. */
    public static float[] ofImages(ClipGraph graph, List<dev.clipengine.data.Example> images, int batchSize) {
        ModelConfig config = graph.model().config();
        int n = images.size();
        float[] out = new float[n * config.embedDim()];
        Batch batch = new Batch(config, batchSize);
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            batch.fillImages(images.subList(from, from + count).stream().map(e -> e.pixels()).toList());
            System.arraycopy(graph.encodeImages(batch), 0, out, from * config.embedDim(), count * config.embedDim());
        }
        normalizeRows(out, n, config.embedDim());
        return out;
    }

    /**
     * The embeddings of the images a stream decodes, {@code [images, dim]}, each row of length 1:
     * the stream reads ahead on its own threads while each batch is encoded.
     */
    public static float[] ofImages(ClipGraph graph, dev.clipengine.data.ImageStream images, int batchSize) {
        java.util.BitSet encoded = new java.util.BitSet(images.size());
        float[] out = ofDecodedImages(graph, images, batchSize, encoded);
        if (encoded.cardinality() != images.size()) {
            throw new IllegalStateException("the stream's decoder gave up on an image without saying why");
        }
        return out;
    }

    /**
     * The embeddings of the images a stream decodes, leaving out those its decoder gave up on
     * (returned as {@code null}): {@code [decoded, dim]}, each row of length 1, in stream order.
     * Bit i of {@code encoded} is set when the stream's image i has a row.
     */
    public static float[] ofDecodedImages(ClipGraph graph, dev.clipengine.data.ImageStream images, int batchSize,
            java.util.BitSet encoded) {
        ModelConfig config = graph.model().config();
        int dim = config.embedDim();
        int n = images.size();
        float[] out = new float[n * dim];
        int rows = 0;
        Batch batch = new Batch(config, batchSize);
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            List<byte[]> pixels = new java.util.ArrayList<>(count);
            List<dev.clipengine.data.Example> decoded = images.next(count);
            for (int i = 0; i < count; i++) {
                if (decoded.get(i) != null) {
                    pixels.add(decoded.get(i).pixels());
                    encoded.set(from + i);
                }
            }
            if (!pixels.isEmpty()) {
                batch.fillImages(pixels);
                System.arraycopy(graph.encodeImages(batch), 0, out, rows * dim, pixels.size() * dim);
                rows += pixels.size();
            }
        }
        normalizeRows(out, rows, dim);
        return rows == n ? out : java.util.Arrays.copyOf(out, rows * dim);
    }

    /** The captions' embeddings, {@code [captions, dim]}, each row of length 1. */
    public static float[] ofCaptions(ClipGraph graph, List<String> captions, int batchSize) {
        ModelConfig config = graph.model().config();
        Tokenizer tokenizer = Tokenizer.of(graph.model());
        int n = captions.size();
        int[][] tokens = new int[n][];
        for (int i = 0; i < n; i++) {
            tokens[i] = tokenizer.encode(captions.get(i), "prompt \"" + captions.get(i) + "\"");
        }
        float[] out = new float[n * config.embedDim()];
        Batch batch = new Batch(config, batchSize);
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            batch.fillCaptions(tokens, from, count);
            System.arraycopy(graph.encodeTexts(batch), 0, out, from * config.embedDim(), count * config.embedDim());
        }
        normalizeRows(out, n, config.embedDim());
        return out;
    }

    /**
     * One embedding per class, CLIP's way: each prompt's embedding normalised, the class's
     * prompts averaged, the average normalised again. {@code [classes, dim]}.
     */
    public static float[] ofClasses(ClipGraph graph, List<List<String>> classPrompts, int batchSize) {
        int dim = graph.model().config().embedDim();
        float[] out = new float[classPrompts.size() * dim];
        for (int c = 0; c < classPrompts.size(); c++) {
            List<String> prompts = classPrompts.get(c);
            float[] each = ofCaptions(graph, prompts, batchSize);
            for (int p = 0; p < prompts.size(); p++) {
                for (int d = 0; d < dim; d++) {
                    out[c * dim + d] += each[p * dim + d] / prompts.size();
                }
            }
        }
        normalizeRows(out, classPrompts.size(), dim);
        return out;
    }

    /** Cosine similarity of row q of a and row r of b (both unit length): their dot product, in double. */
    static double similarity(float[] a, int q, float[] b, int r, int dim) {
        double dot = 0;
        for (int d = 0; d < dim; d++) {
            dot += (double) a[q * dim + d] * b[r * dim + d];
        }
        return dot;
    }

    static void normalizeRows(float[] x, int rows, int dim) {
        for (int r = 0; r < rows; r++) {
            double norm = Math.max(Math.sqrt(similarity(x, r, x, r, dim)), 1e-12);
            for (int d = 0; d < dim; d++) {
                x[r * dim + d] = (float) (x[r * dim + d] / norm);
            }
        }
    }
}

package dev.clipengine.data;

import dev.clipengine.model.ModelConfig;

/**
 * The model's input for up to {@code capacity} pairs, in buffers allocated once and refilled every
 * step: the patches of every image, and the token ids of every caption back to back.
 */
public final class Batch {

    private final int capacity;
    private final int patchValuesPerImage;
    /** Each pixel byte's input value per channel, {@code [channel * 256 + byte]}. */
    private final float[] pixelValues;
    /** {@code [size * patchesPerImage, patchDim]}: image k's patches are rows k*np .. k*np+np-1. */
    public final float[] patches;
    /** The captions' token ids back to back; caption k is {@code tokenIds[tokenStart[k] .. tokenStart[k+1])}. */
    public final int[] tokenIds;
    /** {@code size + 1} entries; {@code tokenStart[0] = 0}. */
    public final int[] tokenStart;
    /** Each pair's class, or -1. */
    public final int[] labels;
    private int size;

    public Batch(ModelConfig config, int capacity) {
        this.capacity = capacity;
        this.patchValuesPerImage = config.patchesPerImage() * config.patchDim();
        this.patches = new float[Math.multiplyExact(capacity, patchValuesPerImage)];
        this.pixelValues = config.pixelNormalization().table();
        this.tokenIds = new int[Math.multiplyExact(capacity, config.tokensPerCaption())];
        this.tokenStart = new int[capacity + 1];
        this.labels = new int[capacity];
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    public int tokenCount() {
        return tokenStart[size];
    }

    /**
     * Fills the batch with {@code count} pairs: pair k is {@code examples[order[from + k]]}, its
     * caption already encoded as {@code tokens[order[from + k]]}.
     */
    public void fill(EncodedPairs pairs, int[] order, int from, int count) {
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " pairs, capacity " + capacity);
        }
        ModelConfig config = pairs.config();
        int tokens = 0;
        for (int k = 0; k < count; k++) {
            int index = order[from + k];
            Example example = pairs.example(index);
            Patches.extract(example.pixels(), config.channels(), config.imageSize(), config.patchSize(),
                    pixelValues, patches, k * patchValuesPerImage);
            int[] ids = pairs.tokens(index);
            tokenStart[k] = tokens;
            System.arraycopy(ids, 0, tokenIds, tokens, ids.length);
            tokens += ids.length;
            labels[k] = example.label();
        }
        tokenStart[count] = tokens;
        size = count;
    }

    /** Fills only the captions (for encoding texts alone): caption k is {@code captions[from + k]}. */
    public void fillCaptions(int[][] captions, int from, int count) {
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " captions, capacity " + capacity);
        }
        int tokens = 0;
        for (int k = 0; k < count; k++) {
            int[] ids = captions[from + k];
            tokenStart[k] = tokens;
            System.arraycopy(ids, 0, tokenIds, tokens, ids.length);
            tokens += ids.length;
            labels[k] = -1;
        }
        tokenStart[count] = tokens;
        size = count;
    }

    /**
     * Fills only the images from input values already normalised, {@code [count, channels,
     * image_size, image_size]} (as a PyTorch pipeline hands them to the model): each image cut into
     * the config's patches.
     */
    public void fillImageValues(ModelConfig config, float[] values, int count) {
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " images, capacity " + capacity);
        }
        int perImage = config.channels() * config.imageSize() * config.imageSize();
        if (values.length < (long) count * perImage) {
            throw new IllegalArgumentException(count + " images need " + (long) count * perImage + " values, got "
                    + values.length);
        }
        for (int k = 0; k < count; k++) {
            Patches.extractValues(values, k * perImage, config.channels(), config.imageSize(), config.patchSize(),
                    patches, k * patchValuesPerImage);
            labels[k] = -1;
            tokenStart[k] = 0;
        }
        tokenStart[count] = 0;
        size = count;
    }

    /** Fills only the images (for encoding images alone): image k is {@code examples.get(from + k)}. */
    public void fillImages(ModelConfig config, java.util.List<Example> examples, int from, int count) {
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " images, capacity " + capacity);
        }
        for (int k = 0; k < count; k++) {
            Example example = examples.get(from + k);
            Patches.extract(example.pixels(), config.channels(), config.imageSize(), config.patchSize(),
                    pixelValues, patches, k * patchValuesPerImage);
            labels[k] = example.label();
            tokenStart[k] = 0;
        }
        tokenStart[count] = 0;
        size = count;
    }
}

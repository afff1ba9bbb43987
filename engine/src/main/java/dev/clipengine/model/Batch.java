package dev.clipengine.model;

/**
 * The model's input for up to {@code capacity} pairs, in buffers allocated once and refilled every
 * step: the patches of every image, and the token ids of every caption back to back.
 */
public final class Batch {

    private final int capacity;
    private final int channels;
    private final int imageSize;
    private final int patchSize;
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
        this.channels = config.channels();
        this.imageSize = config.imageSize();
        this.patchSize = config.patchSize();
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
     * Puts pair {@code k}: its image's pixel bytes ({@code channels x size x size}, cut into
     * patches here), its caption's ids and its class (or -1). Pairs go in order 0, 1, ...; then
     * {@link #finish(int)} closes the batch.
     */
    public void putPair(int k, byte[] pixels, int[] ids, int label) {
        checkSlot(k);
        putImage(k, pixels, label);
        putCaption(k, ids);
    }

    /** Closes a batch of {@code count} pairs put with {@link #putPair}. */
    public void finish(int count) {
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " pairs, capacity " + capacity);
        }
        tokenStart[count] = nextToken;
        size = count;
    }

    /** Where the next caption's ids go: pairs are put in order, so captions lie back to back. */
    private int nextToken;

    private void putImage(int k, byte[] pixels, int label) {
        Patches.extract(pixels, channels, imageSize, patchSize, pixelValues, patches, k * patchValuesPerImage);
        labels[k] = label;
    }

    private void putCaption(int k, int[] ids) {
        if (k == 0) {
            nextToken = 0;
        }
        tokenStart[k] = nextToken;
        System.arraycopy(ids, 0, tokenIds, nextToken, ids.length);
        nextToken += ids.length;
    }

    private void checkSlot(int k) {
        if (k < 0 || k >= capacity) {
            throw new IllegalArgumentException("pair " + k + " of a batch of capacity " + capacity);
        }
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

    /** Fills only the images (for encoding images alone): image k's bytes are {@code images.get(k)}. */
    public void fillImages(java.util.List<byte[]> images) {
        int count = images.size();
        if (count < 1 || count > capacity) {
            throw new IllegalArgumentException("batch of " + count + " images, capacity " + capacity);
        }
        for (int k = 0; k < count; k++) {
            putImage(k, images.get(k), -1);
            tokenStart[k] = 0;
        }
        tokenStart[count] = 0;
        size = count;
    }
}

package dev.clipengine.api;

/**
 * What a loaded model is and how the engine runs it.
 *
 * @param source             the file or folder the model was read from
 * @param family             {@code transformer} (OpenAI's CLIP towers) or {@code mlp} (the small
 *                           linear towers)
 * @param dimension          length of every embedding
 * @param imageSize          side, in pixels, images are resized and centre-cropped to
 * @param logitScale         the factor cosine similarities are multiplied by before a softmax
 *                           ({@code exp} of the model's learnt log scale; 100 for OpenAI's models)
 * @param backend            the compute backend's name
 * @param threadsPerEncoder  threads each encoder computes with
 * @param concurrency        encoders: callers served at the same time
 * @param maxBatch           images or texts an encoder takes at once
 */
public record ModelInfo(String source, String family, int dimension, int imageSize, double logitScale,
                        String backend, int threadsPerEncoder, int concurrency, int maxBatch) {
}

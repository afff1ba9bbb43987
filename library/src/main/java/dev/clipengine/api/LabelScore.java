package dev.clipengine.api;

/**
 * One label's score for an image in zero-shot classification.
 *
 * @param label       the label as given
 * @param probability the softmax over every label of {@code logitScale * cosine}
 * @param cosine      cosine similarity of the image's and the label's embeddings
 */
public record LabelScore(String label, double probability, double cosine) {
}

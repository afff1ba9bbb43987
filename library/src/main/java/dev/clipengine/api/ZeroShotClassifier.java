package dev.clipengine.api;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Labels images by how close their embeddings lie to each label's, as CLIP classifies zero-shot:
 * the probabilities are the softmax of {@code logitScale * cosine} over the labels. Made by
 * {@link ClipEngine#classifier}; immutable and safe to share between threads. The methods that
 * take an image encode it with the engine that made the classifier, which must still be open.
 */
public final class ZeroShotClassifier {

    private final ClipEngine engine;
    private final List<String> labels;
    private final float[][] labelEmbeddings;
    private final double logitScale;

    ZeroShotClassifier(ClipEngine engine, List<String> labels, float[][] labelEmbeddings, double logitScale) {
        this.engine = engine;
        this.labels = labels;
        this.labelEmbeddings = labelEmbeddings;
        this.logitScale = logitScale;
    }

    /**
     * The labels, in the order given.
     *
     * @return the labels
     */
    public List<String> labels() {
        return labels;
    }

    /**
     * A label's embedding: the normalised mean of its prompts' embeddings.
     *
     * @param index the label's position in {@link #labels()}
     * @return a copy of its unit-length embedding
     */
    public float[] labelEmbedding(int index) {
        return labelEmbeddings[index].clone();
    }

    /**
     * Every label's score for an image's embedding, most probable first (ties in label order).
     *
     * @param imageEmbedding an embedding from the engine that made this classifier
     * @return every label's score, most probable first
     * @throws IllegalArgumentException when the embedding is not of the model's dimension
     */
    public List<LabelScore> classify(float[] imageEmbedding) {
        if (imageEmbedding.length != labelEmbeddings[0].length) {
            throw new IllegalArgumentException("an embedding of " + imageEmbedding.length + " values; the model's have "
                    + labelEmbeddings[0].length);
        }
        double[] cosines = new double[labels.size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < cosines.length; k++) {
            cosines[k] = Similarity.cosine(imageEmbedding, labelEmbeddings[k]);
            max = Math.max(max, logitScale * cosines[k]);
        }
        // exponents taken relative to the largest logit, so none overflows
        double[] weights = new double[cosines.length];
        double sum = 0;
        for (int k = 0; k < cosines.length; k++) {
            weights[k] = Math.exp(logitScale * cosines[k] - max);
            sum += weights[k];
        }
        List<LabelScore> scores = new ArrayList<>(cosines.length);
        for (int k = 0; k < cosines.length; k++) {
            scores.add(new LabelScore(labels.get(k), weights[k] / sum, cosines[k]));
        }
        // a stable sort keeps equal probabilities in label order
        scores.sort(Comparator.comparingDouble(LabelScore::probability).reversed());
        return scores;
    }

    /**
     * Every label's score for a PNG or JPEG file.
     *
     * @param imageFile the image file
     * @return every label's score, most probable first
     * @throws ClipInputException when the file cannot be read as an image
     */
    public List<LabelScore> classify(Path imageFile) {
        return classify(engine.embedImage(imageFile));
    }

    /**
     * Every label's score for an image in memory.
     *
     * @param image a grey or RGB image
     * @return every label's score, most probable first
     * @throws ClipInputException when the image has other colours
     */
    public List<LabelScore> classify(BufferedImage image) {
        return classify(engine.embedImage(image));
    }

    /**
     * Every label's score for a PNG or JPEG file's bytes.
     *
     * @param encodedImage the file's bytes
     * @return every label's score, most probable first
     * @throws ClipInputException when the bytes cannot be decoded as an image
     */
    public List<LabelScore> classify(byte[] encodedImage) {
        return classify(engine.embedImage(encodedImage));
    }
}

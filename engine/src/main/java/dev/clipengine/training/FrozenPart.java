package dev.clipengine.training;

import dev.clipengine.model.ClipModel;

/**
 * A part of the model that training leaves as it is: no optimizer state, no update and, for a
 * whole tower, no backward pass through it (open_clip's {@code --lock-image} and
 * {@code --lock-text}). The logit scale belongs to neither tower and still trains.
 */
public enum FrozenPart {
    /** The token embedding table (e.g. pretrained word vectors). */
    WORD_VECTORS,
    /** Every tensor of the image tower, its projection included. */
    IMAGE_TOWER,
    /** Every tensor of the text tower, its embeddings and projection included. */
    TEXT_TOWER;

    /** Whether the parameter {@code name} of a model is in this part. */
    public boolean holds(String name) {
        return switch (this) {
            case WORD_VECTORS -> name.equals(ClipModel.TOKEN_EMBEDDING);
            case IMAGE_TOWER -> ClipModel.inImageTower(name);
            case TEXT_TOWER -> ClipModel.inTextTower(name);
        };
    }
}

package dev.clipengine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.TransformerConfig;

/**
 * The batch size, learning rate, weight decay and schedule a run takes when the command line does
 * not give them, which depend on what is trained: the card's small model trains well at a constant
 * rate and no decay; a transformer from scratch needs open_clip's recipe, a warmup and cosine decay
 * with decoupled weight decay, at open_clip's batch size (the built-in {@code vit-tiny} reaches 80%
 * held out at the card's settings and 97-99% with these); a pretrained transformer is fine-tuned at
 * a rate small enough to keep what it knows; a resumed run continues with the options it was
 * started with.
 *
 * @param source what chose them, for the run's description
 */
record TrainingDefaults(int batchSize, double lr, double weightDecay, String schedule, String source) {

    static final TrainingDefaults CARD = new TrainingDefaults(128, 0.002, 0, "constant", "the card's model");
    /** open_clip's batch size and weight decay, 64 and 0.2 (measured on vit-tiny in docs/transformer.md). */
    static final TrainingDefaults TRANSFORMER =
            new TrainingDefaults(64, 0.003, 0.2, "cosine", "a new transformer");
    static final TrainingDefaults FINE_TUNING = new TrainingDefaults(128, 1e-5, 0.1, "cosine", "fine-tuning");

    /** For a run on {@code model}: new, from {@code --init} ({@code fineTuning}), or resumed ({@code saved}, else null). */
    static TrainingDefaults of(ModelConfig model, boolean fineTuning, JsonNode saved) {
        TrainingDefaults family = switch (model) {
            case MlpConfig mlp -> CARD;
            case TransformerConfig transformer -> fineTuning ? FINE_TUNING : TRANSFORMER;
        };
        if (saved == null) {
            return family;
        }
        return new TrainingDefaults(saved.path("batch_size").asInt(family.batchSize),
                saved.path("lr").asDouble(family.lr),
                saved.path("weight_decay").asDouble(family.weightDecay),
                saved.path("schedule").asText(family.schedule), "the resumed run");
    }
}

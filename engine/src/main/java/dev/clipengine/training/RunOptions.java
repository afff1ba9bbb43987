package dev.clipengine.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipengine.BadInputException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run that resumes a training checkpoint must share with the run that wrote it: the data,
 * the schedule of steps and every hyper-parameter that shapes the updates. Saved in the
 * checkpoint's {@code training.options} (docs/formats.md), with a format version so that a later
 * clip-engine can read what an earlier one wrote.
 *
 * @param data      the {@code --data} source as given
 * @param valSplit  the fraction of the training pairs held out for validation
 * @param totalSteps the run's length in steps
 * @param warmup    the cosine schedule's warmup steps in effect
 */
public record RunOptions(String data, double valSplit, TrainingOptions training, long totalSteps, long warmup) {

    /** The version of the saved layout; a checkpoint without one was written as version 1. */
    public static final int FORMAT_VERSION = 1;
    private static final String VERSION_KEY = "format_version";

    /** The saved form: one JSON-friendly value a key. */
    public Map<String, Object> toMap() {
        TrainingOptions o = training;
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(VERSION_KEY, FORMAT_VERSION);
        map.put("data", data);
        map.put("val_split", valSplit);
        map.put("seed", o.seed());
        map.put("batch_size", o.batchSize());
        map.put("total_steps", totalSteps);
        map.put("lr", o.learningRate());
        map.put("optimizer", o.optimizer());
        map.put("momentum", (double) o.momentum());
        map.put("weight_decay", (double) o.weightDecay());
        map.put("beta1", o.beta1());
        map.put("beta2", o.beta2());
        map.put("eps", (double) o.eps());
        map.put("schedule", o.schedule());
        map.put("warmup", warmup);
        map.put("clip_grad", o.clipGrad());
        map.put("shuffle", o.shuffle());
        map.put("freeze_word_vectors", o.frozen().contains(FrozenPart.WORD_VECTORS));
        map.put("lock_image", o.frozen().contains(FrozenPart.IMAGE_TOWER));
        map.put("lock_text", o.frozen().contains(FrozenPart.TEXT_TOWER));
        return map;
    }

    /**
     * Refuses to resume from {@code saved} (a checkpoint's options, read from {@code source}) when
     * any option differs, naming it. A switch newer than the checkpoint counts as off, and numbers
     * that round to the same float agree (betas were once saved from their float values).
     */
    public void requireSameAs(JsonNode saved, String source) {
        int version = saved.path(VERSION_KEY).asInt(1);
        if (version > FORMAT_VERSION) {
            throw new BadInputException(source + ": its run options are of format " + version + ", newer than this "
                    + "clip-engine's " + FORMAT_VERSION + "; resume it with a newer clip-engine");
        }
        for (Map.Entry<String, Object> option : toMap().entrySet()) {
            if (option.getKey().equals(VERSION_KEY)) {
                continue;
            }
            JsonNode value = saved.get(option.getKey());
            String expected = String.valueOf(option.getValue());
            boolean absentSwitchOff = value == null && Boolean.FALSE.equals(option.getValue());
            if (!absentSwitchOff && (value == null
                    || !(value.asText().equals(expected) || sameFloat(value, option.getValue())))) {
                throw new BadInputException(source + " was written by a run with " + option.getKey() + " = "
                        + (value == null ? "(none)" : value.asText()) + "; this one has " + expected
                        + " (resume with the same options)");
            }
        }
    }

    private static boolean sameFloat(JsonNode saved, Object current) {
        return saved.isNumber() && current instanceof Number number
                && (float) saved.asDouble() == number.floatValue();
    }
}

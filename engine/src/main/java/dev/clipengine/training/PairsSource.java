package dev.clipengine.training;

import dev.clipengine.data.EncodedPairs;
import dev.clipengine.model.ClipModel;

import java.io.Serializable;

/**
 * Where a data-parallel run's workers read the training pairs themselves: a description small
 * enough to send them (a file path, a built-in data set's name and seed), from which each builds
 * the same pairs, in the same order, as the trainer's process did.
 */
@FunctionalInterface
public interface PairsSource extends Serializable {

    /** The training pairs, captions encoded with {@code model}'s tokenizer. */
    EncodedPairs load(ClipModel model);
}

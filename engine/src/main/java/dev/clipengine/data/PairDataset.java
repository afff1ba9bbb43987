package dev.clipengine.data;

import java.util.List;

/**
 * Image-caption pairs ready for training: a training split, an optional held-out split, and, where
 * the pairs come from classes, one caption per class for zero-shot scoring.
 *
 * @param name        what to call it in logs, e.g. {@code shapes} or a file name
 * @param train       pairs to train on
 * @param heldOut     pairs never trained on (may be empty)
 * @param classNames  one caption per class (label k is classNames.get(k)); empty without classes
 */
public record PairDataset(String name, List<Example> train, List<Example> heldOut, List<String> classNames) {

    public PairDataset {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
        classNames = List.copyOf(classNames);
    }
}

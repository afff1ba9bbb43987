package dev.clipengine.data;

import java.util.List;

/**
 * Image-caption pairs ready for training: a training split, an optional held-out split, and, where
 * the pairs come from classes, a name and the zero-shot prompts of each class.
 *
 * @param name        what to call it in logs, e.g. {@code shapes} or a file name
 * @param train       pairs to train on
 * @param heldOut     pairs never trained on (may be empty)
 * @param classNames  one caption per class (label k is classNames.get(k)); empty without classes
 * @param classPrompts the prompts whose embeddings, averaged, stand for each class in zero-shot
 *                     scoring (entry k for label k)
 * @param trainCaptions where training captions are drawn anew each epoch, the draws (train's own
 *                      captions are epoch 0's); null where captions are fixed
 */
public record PairDataset(String name, List<Example> train, List<Example> heldOut, List<String> classNames,
                          List<List<String>> classPrompts, EpochCaptions trainCaptions) {

    public PairDataset {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
        classNames = List.copyOf(classNames);
        classPrompts = classPrompts.stream().map(List::copyOf).toList();
        if (classPrompts.size() != classNames.size()) {
            throw new IllegalArgumentException(classNames.size() + " classes but " + classPrompts.size()
                    + " prompt lists");
        }
    }

    /** Fixed captions. */
    public PairDataset(String name, List<Example> train, List<Example> heldOut, List<String> classNames,
                       List<List<String>> classPrompts) {
        this(name, train, heldOut, classNames, classPrompts, null);
    }

    /** Each class prompted by its name alone. */
    public PairDataset(String name, List<Example> train, List<Example> heldOut, List<String> classNames) {
        this(name, train, heldOut, classNames, classNames.stream().map(List::of).toList());
    }
}

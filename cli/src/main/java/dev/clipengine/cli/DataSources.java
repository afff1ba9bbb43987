package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.Example;
import dev.clipengine.data.IdxDataset;
import dev.clipengine.data.LoadProgress;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.data.TsvDataset;
import dev.clipengine.model.ModelConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Resolves {@code --data}: the built-in data set by name, or a TSV file. */
final class DataSources {

    static final String BUILT_IN = "shapes";
    static final int BUILT_IN_TRAIN_PAIRS = ShapesDataset.DEFAULT_TRAIN_COUNT;
    static final int BUILT_IN_HELD_OUT_PAIRS = ShapesDataset.DEFAULT_HELD_OUT_COUNT;

    private DataSources() {
    }

    /**
     * The pairs {@code eval} scores: the built-in data's held-out set, an IDX data set's test files
     * (its training files are not read), or every row of a TSV.
     */
    static PairDataset forEvaluation(String source, ModelConfig config, long seed, LoadProgress progress) {
        if (IdxDataset.isSource(source)) {
            return IdxDataset.loadTest(source, config.imageSize(), config.channels(), config.resampling());
        }
        PairDataset all = load(source, config, seed, null, 0, progress).pairs();
        if (source.equals(BUILT_IN)) {
            return new PairDataset(all.name() + " (held out)", List.of(), all.heldOut(), all.classNames(),
                    all.classPrompts());
        }
        List<Example> rows = new ArrayList<>(all.train());
        rows.addAll(all.heldOut());
        return new PairDataset(all.name(), List.of(), rows, all.classNames(), all.classPrompts());
    }

    /**
     * What {@code train} reads: the pairs (their held-out split is what the final report scores) and
     * the validation pairs {@code --eval-every} scores during training, carved from the training data
     * (docs/formats.md), never the test files.
     *
     * @param validation empty when there is no validation split
     */
    record TrainingData(PairDataset pairs, List<Example> validation) {
    }

    /** What to call a source on a progress bar, which the terminal's width cuts: a TSV's file name. */
    static String shortName(String source) {
        if (source.equals(BUILT_IN) || IdxDataset.isSource(source) || source.isBlank()) {
            return source;
        }
        Path name = Path.of(source).getFileName();
        return name == null ? source : name.toString();
    }

    /** Whether {@code --val-data} goes with this {@code --data}: only a TSV's does. */
    static boolean acceptsValData(String source) {
        return !source.equals(BUILT_IN) && !IdxDataset.isSource(source);
    }

    static TrainingData load(String source, ModelConfig config, long seed, Path valData, double valSplit) {
        return load(source, config, seed, valData, valSplit, LoadProgress.NONE);
    }

    /** As above, telling progress as a TSV's images are decoded (the other sources load in a moment). */
    static TrainingData load(String source, ModelConfig config, long seed, Path valData, double valSplit,
                             LoadProgress progress) {
        if (source.isBlank()) {
            throw new BadInputException("--data is empty; give '" + BUILT_IN + "' or a TSV file");
        }
        if (source.equals(BUILT_IN)) {
            if (valData != null) {
                throw new BadInputException("--val-data is for TSV data; the built-in data brings its own held-out "
                        + "set (--val-split carves a validation split from its training pairs)");
            }
            PairDataset shapes = ShapesDataset.generate(config.imageSize(), config.channels(), seed,
                    BUILT_IN_TRAIN_PAIRS, BUILT_IN_HELD_OUT_PAIRS);
            // the training pairs are in random order, so their tail is a fair sample
            int validation = TsvDataset.heldOutCount(shapes.train().size(), valSplit);
            int trainCount = shapes.train().size() - validation;
            return new TrainingData(new PairDataset(shapes.name(), shapes.train().subList(0, trainCount),
                    shapes.heldOut(), shapes.classNames(), shapes.classPrompts()),
                    shapes.train().subList(trainCount, shapes.train().size()));
        }
        if (IdxDataset.isSource(source)) {
            if (valData != null) {
                throw new BadInputException("--val-data is for TSV data; IDX data sets bring their own test files "
                        + "(--val-split carves a validation split from the training files)");
            }
            IdxDataset.Splits splits = IdxDataset.load(source, config.imageSize(), config.channels(),
                    config.resampling(), valSplit, seed);
            // the training files train (less any --val-split); the test files are kept for the final report
            return new TrainingData(new PairDataset(splits.name(), splits.train(), splits.test(),
                    splits.captions().classNames(), splits.captions().classPrompts(), splits.trainCaptions()),
                    splits.validation());
        }
        Path tsv = Path.of(source);
        if (!Files.exists(tsv)) {
            throw new BadInputException("--data " + source + ": no such file (and not a built-in data set: "
                    + BUILT_IN + ")");
        }
        if (valData != null && valSplit > 0) {
            throw new BadInputException("give --val-data or --val-split, not both");
        }
        PairDataset train = TsvDataset.load(tsv, config.imageSize(), config.channels(), config.resampling(), valSplit,
                progress);
        if (valData != null) {
            train = new PairDataset(train.name(), train.train(),
                    TsvDataset.readPairs(valData, config.imageSize(), config.channels(), config.resampling(), progress),
                    train.classNames(), train.classPrompts());
        }
        // a TSV has no test files: its held-out pairs are both the validation and the final report
        return new TrainingData(train, train.heldOut());
    }
}

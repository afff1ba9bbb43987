package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.data.TsvDataset;
import dev.clipengine.model.ModelConfig;

import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves {@code --data}: the built-in data set by name, or a TSV file. */
final class DataSources {

    static final String BUILT_IN = "shapes";
    static final int BUILT_IN_TRAIN_PAIRS = ShapesDataset.DEFAULT_TRAIN_COUNT;
    static final int BUILT_IN_HELD_OUT_PAIRS = ShapesDataset.DEFAULT_HELD_OUT_COUNT;

    private DataSources() {
    }

    static PairDataset load(String source, ModelConfig config, long seed, Path valData, double valSplit) {
        if (source.isBlank()) {
            throw new BadInputException("--data is empty; give '" + BUILT_IN + "' or a TSV file");
        }
        if (source.equals(BUILT_IN)) {
            if (valData != null || valSplit > 0) {
                throw new BadInputException((valData != null ? "--val-data" : "--val-split")
                        + " is for TSV data; the built-in data brings its own held-out set");
            }
            return ShapesDataset.generate(config.imageSize(), config.channels(), seed, BUILT_IN_TRAIN_PAIRS,
                    BUILT_IN_HELD_OUT_PAIRS);
        }
        if (source.startsWith("fashion-mnist:") || source.startsWith("mnist:")) {
            throw new BadInputException("--data " + source + ": IDX data sets are not supported by this version; "
                    + "use '" + BUILT_IN + "' or a TSV file");
        }
        Path tsv = Path.of(source);
        if (!Files.exists(tsv)) {
            throw new BadInputException("--data " + source + ": no such file (and not a built-in data set: "
                    + BUILT_IN + ")");
        }
        if (valData != null && valSplit > 0) {
            throw new BadInputException("give --val-data or --val-split, not both");
        }
        PairDataset train = TsvDataset.load(tsv, config.imageSize(), config.channels(), valSplit);
        if (valData == null) {
            return train;
        }
        return new PairDataset(train.name(), train.train(),
                TsvDataset.readPairs(valData, config.imageSize(), config.channels()), train.classNames(),
                train.classPrompts());
    }
}

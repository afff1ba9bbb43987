package dev.clipengine.cli;

import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tokenizer;
import dev.clipengine.training.PairsSource;

import java.nio.file.Path;

/**
 * The training pairs of {@code train}'s data flags, as a cluster's workers read them: the same
 * source, validation split and seed give the same pairs in the same order as the driver's
 * ({@code --data} and {@code --val-data} must name files every worker sees at that path).
 */
record CommandPairs(String data, String valData, double valSplit, long seed) implements PairsSource {

    static CommandPairs of(TrainingFlags flags) {
        return new CommandPairs(flags.data, flags.valData == null ? null : flags.valData.toString(), flags.valSplit,
                flags.seed);
    }

    @Override
    public EncodedPairs load(ClipModel model) {
        PairDataset dataset = DataSources.load(data, model.config(), seed, valData == null ? null : Path.of(valData),
                valSplit).pairs();
        return TrainCommand.trainingPairs(model, dataset);
    }
}

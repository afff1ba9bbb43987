package dev.clipengine.spark;

import dev.clipengine.io.ModelFile;
import dev.clipengine.io.SafeTensors;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.training.GlobalBatchShares;
import dev.clipengine.training.PairsSource;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every executor needs once per run, sent once: the model's config and vocabulary (as a model
 * file's metadata says them; the weights come every step), where the pairs are, how the batch is
 * cut, what to compute on and which towers are frozen.
 *
 * @param run        tells this run's state on an executor from an earlier run's
 * @param trainPairs how many training pairs the driver has: an executor reading another number
 *                   would train on other data, and stops
 */
record RunBlueprint(String run, Map<String, String> modelMetadata, PairsSource pairs, int trainPairs,
                    GlobalBatchShares shares, String backend, boolean imageFrozen, boolean textFrozen)
        implements Serializable {

    static RunBlueprint of(String run, ClipModel model, PairsSource pairs, int trainPairs, GlobalBatchShares shares,
                           String backend, boolean imageFrozen, boolean textFrozen) {
        return new RunBlueprint(run, new LinkedHashMap<>(ModelFile.metadata(model)), pairs, trainPairs, shares, backend,
                imageFrozen, textFrozen);
    }

    /** A replica of the driver's model, its weights zero until the step's arrive. */
    ClipModel newReplica() {
        ModelConfig config = ModelFile.parseConfig(modelMetadata.get("config"), "the driver's model");
        Map<String, Tensor> zeros = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> shape : config.tensorShapes().entrySet()) {
            zeros.put(shape.getKey(), Tensor.zeros(shape.getKey(), shape.getValue()));
        }
        return ModelFile.fromContents(new SafeTensors.Contents(modelMetadata, zeros), "the driver's model");
    }
}

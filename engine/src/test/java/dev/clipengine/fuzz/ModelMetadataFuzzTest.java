package dev.clipengine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.clipengine.io.ModelFile;
import dev.clipengine.io.SafeTensors;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any config and vocabulary JSON in a model file's metadata, beside a real model's tensors, either
 * load or fail with a one-line {@link dev.clipengine.BadInputException}, allocating in proportion
 * to the JSON. The input is the config, a zero byte, then the vocabulary (the first zero splits
 * them); seeds in ModelMetadataFuzzTestInputs.
 */
class ModelMetadataFuzzTest {

    private static final ClipModel MODEL = ClipModel.initialize(ModelConfig.seed(4),
            new Vocabulary(List.of("<unk>", "red", "blue", "circle")), 1);

    @FuzzTest(maxDuration = "12s")
    void loadsOrRefuses(@WithLength(max = FuzzChecks.MAX_INPUT_BYTES) byte[] input) {
        int zero = 0;
        while (zero < input.length && input[zero] != 0) {
            zero++;
        }
        Map<String, String> metadata = new LinkedHashMap<>(ModelFile.metadata(MODEL));
        metadata.put("config", new String(input, 0, zero, StandardCharsets.UTF_8));
        metadata.put("vocab", zero < input.length
                ? new String(input, zero + 1, input.length - zero - 1, StandardCharsets.UTF_8) : "");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Tensor t : MODEL.tensors()) {
            tensors.put(t.name(), t);
        }
        SafeTensors.Contents contents = new SafeTensors.Contents(metadata, tensors);
        FuzzChecks.readsOrRefusesWithin(input.length, "reading the metadata",
                () -> ModelFile.fromContents(contents, "fuzz.safetensors"));
    }
}

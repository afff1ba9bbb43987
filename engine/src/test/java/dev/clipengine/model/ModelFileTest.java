package dev.clipengine.model;

import dev.clipengine.BadInputException;
import dev.clipengine.io.ModelFile;
import dev.clipengine.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFileTest {

    private static final ModelConfig CONFIG = new MlpConfig(8, 4, 3, 4, 5, 6, 7, 3, 4, true, true);
    private static final Vocabulary VOCABULARY = new Vocabulary(List.of("<unk>", "red", "blue", "circle"));

    @Test
    void aSavedModelReadsBackBitwiseEqualWithItsConfigAndVocabulary(@TempDir Path dir) throws Exception {
        ClipModel model = ClipModel.initialize(CONFIG, VOCABULARY, 1);
        model.tensor(ClipModel.TEXT_ENCODER_BIAS).data()[0] = -0f;
        model.tensor(ClipModel.TEXT_ENCODER_BIAS).data()[1] = Float.MIN_VALUE; // subnormal
        Path file = dir.resolve("model.safetensors");
        ModelFile.save(model, file);
        ClipModel read = ModelFile.load(file);
        assertEquals(CONFIG, read.config());
        assertEquals(VOCABULARY.words(), read.vocabulary().words());
        for (Tensor t : model.tensors()) {
            assertArrayEquals(t.shape(), read.tensor(t.name()).shape(), t.name());
            for (int i = 0; i < t.size(); i++) {
                assertEquals(Float.floatToRawIntBits(t.data()[i]), Float.floatToRawIntBits(read.tensor(t.name()).data()[i]),
                        t.name() + "[" + i + "]");
            }
        }
        assertArrayEquals(new int[0], read.tensor(ClipModel.LOGIT_SCALE).shape(), "logit_scale is a scalar");
    }

    @Test
    void aMissingTensorIsNamed(@TempDir Path dir) throws Exception {
        ClipModel model = ClipModel.initialize(CONFIG, VOCABULARY, 1);
        List<Tensor> tensors = new ArrayList<>(model.tensors());
        tensors.removeIf(t -> t.name().equals(ClipModel.IMAGE_PROJECTION_BIAS));
        Path file = dir.resolve("missing.safetensors");
        SafeTensors.write(file, ModelFile.metadata(model), tensors);
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(ClipModel.IMAGE_PROJECTION_BIAS),
                e.getMessage());
    }

    @Test
    void aWrongShapeIsNamedWithBothShapes(@TempDir Path dir) throws Exception {
        ClipModel model = ClipModel.initialize(CONFIG, VOCABULARY, 1);
        List<Tensor> tensors = new ArrayList<>();
        for (Tensor t : model.tensors()) {
            tensors.add(t.name().equals(ClipModel.TEXT_ENCODER_WEIGHT) ? Tensor.zeros(t.name(), 5, 6) : t);
        }
        Path file = dir.resolve("shape.safetensors");
        SafeTensors.write(file, ModelFile.metadata(model), tensors);
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains(ClipModel.TEXT_ENCODER_WEIGHT) && e.getMessage().contains("[5, 6]")
                && e.getMessage().contains("[6, 5]"), e.getMessage());
    }

    @Test
    void aLogitScaleOfShapeOneIsAccepted(@TempDir Path dir) throws Exception {
        ClipModel model = ClipModel.initialize(CONFIG, VOCABULARY, 1);
        List<Tensor> tensors = new ArrayList<>();
        for (Tensor t : model.tensors()) {
            tensors.add(t.name().equals(ClipModel.LOGIT_SCALE) ? new Tensor(t.name(), new int[] {1}, new float[] {2.5f}) : t);
        }
        Path file = dir.resolve("scale.safetensors");
        SafeTensors.write(file, ModelFile.metadata(model), tensors);
        assertEquals(2.5f, ModelFile.load(file).logitScale());
    }

    @Test
    void aConfigThatDisagreesWithTheVocabularyIsRefused(@TempDir Path dir) throws Exception {
        ClipModel model = ClipModel.initialize(CONFIG, VOCABULARY, 1);
        var metadata = new java.util.LinkedHashMap<>(ModelFile.metadata(model));
        metadata.put("vocab", "[\"<unk>\", \"red\"]");
        Path file = dir.resolve("vocab.safetensors");
        SafeTensors.write(file, metadata, model.tensors());
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains("vocab_size"), e.getMessage());
    }
}

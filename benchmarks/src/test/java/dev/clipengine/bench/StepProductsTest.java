package dev.clipengine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class StepProductsTest {

    /**
     * Worked out by hand from the model: 256 captions of 6 tokens (1536 rows, word_dim 32) and 256
     * images of 16 patches (4096 rows of 49 values), hidden 512 both sides, embed 64.
     */
    @Test
    void theBenchmarkModelsStepRecordedFromTheEngine() {
        List<String> expected = List.of(
                // forward: text encoder, text projection, image encoder, image projection, logits
                "1536x512Tx32", "256x64Tx512", "4096x512Tx49", "256x64Tx512", "256x256Tx64",
                // backward: the logits' gradients w.r.t. the image and caption embeddings
                "256x64x256", "256Tx64x256",
                // image tower: projection weight and input gradients, encoder weight gradient
                "64Tx512x256", "256x512x64", "512Tx49x4096",
                // text tower: the same, and the token vectors' gradient for the embedding table
                "64Tx512x256", "256x512x64", "512Tx32x1536", "1536x32x512");
        List<String> recorded = new StepProducts(256).of("benchmark").stream().map(GemmShape::toString).toList();
        assertEquals(expected, recorded);
    }

    /**
     * The engine's formula for a step's work, which {@code compare} quotes GFLOPS by, counts the same
     * products. Attention's two products run inside the attention kernel, where no {@code sgemm} is
     * recorded, so a transformer's are added here: per block {@code 2 x 2 x rows x width x length},
     * taken once forward and twice backward; and the engine's patch product also multiplies each
     * image's zero row for the class token, work the formula does not count. (The step is recorded on the reference backend, so only
     * the models that take seconds there are checked: the larger transformers take hours.)
     */
    @Test
    void theEnginesStepFlopsFormulaAgreesWithTheRecordedProducts() {
        StepProducts products = new StepProducts(BenchmarkModels.BATCH_SIZE);
        int batch = BenchmarkModels.BATCH_SIZE;
        for (String model : List.of("seed", "default", "benchmark", "vit-tiny")) {
            var config = BenchmarkModels.config(model);
            double recorded = products.flops(model);
            if (config instanceof dev.clipengine.model.TransformerConfig t) {
                // the synthetic captions fill the context, so every position is computed
                recorded += 3 * attention(t.vision().layers(), batch, t.vision().tokens(), t.vision().width());
                recorded += 3 * attention(t.text().layers(), batch, t.text().contextLength(), t.text().width());
                // the patch product runs over the class token's zero row too, which the formula leaves out
                recorded -= 2 * 2.0 * batch * t.patchDim() * t.vision().width();
            }
            double tokens = (double) batch * config.maxTokens();
            assertEquals(recorded, dev.clipengine.model.StepFlops.trainingStep(config, batch, tokens), 0.0, model);
        }
    }

    private static double attention(int layers, int sequences, int length, int width) {
        return layers * 2.0 * 2.0 * sequences * length * width * length;
    }

    @Test
    void expandsStepTokensKeepsShapesAndDropsRepeats() {
        StepProducts products = new StepProducts(256);
        List<String> expanded = products.expand(List.of("64", "step:seed", "256x256Tx2"));
        assertEquals("64", expanded.get(0));
        // the seed model's 14 products, of which none repeats, and its logits were already listed
        assertEquals(1 + 14, expanded.size());
        assertEquals(products.distinct("seed").stream().map(GemmShape::toString).toList(),
                expanded.subList(1, expanded.size()));
        assertEquals(1_094_656, products.flops("seed"));
    }

    @Test
    void shapeNotationRoundTrips() {
        for (String text : List.of("512", "4096x512Tx49", "512Tx49x4096", "7x5x3", "2Tx3Tx4")) {
            assertEquals(text, GemmShape.parse(text).toString());
        }
        GemmShape weightGradient = GemmShape.parse("512Tx49x4096");
        assertEquals(512, weightGradient.lda());
        assertEquals(49, weightGradient.ldb());
        assertEquals(2L * 512 * 49 * 4096, weightGradient.flops());
        assertThrows(IllegalArgumentException.class, () -> GemmShape.parse("4x4xT4"));
        assertThrows(IllegalArgumentException.class, () -> GemmShape.parse("4x4"));
        assertThrows(IllegalArgumentException.class, () -> GemmShape.parse("0"));
    }
}

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

    /** The engine's formula for a step's work, which {@code compare} quotes GFLOPS by, counts the same products. */
    @Test
    void theEnginesStepFlopsFormulaAgreesWithTheRecordedProducts() {
        StepProducts products = new StepProducts(BenchmarkModels.BATCH_SIZE);
        for (String model : BenchmarkModels.NAMES) {
            var config = BenchmarkModels.config(model);
            double tokens = (double) BenchmarkModels.BATCH_SIZE * config.maxTokens();
            assertEquals((double) products.flops(model),
                    dev.clipengine.model.StepFlops.trainingStep(config, BenchmarkModels.BATCH_SIZE, tokens), 0.0, model);
        }
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

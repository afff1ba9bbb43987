package dev.clipengine.training;

import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.Batch;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.PixelNormalization;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.Vocabulary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One step cut into shares, as a data-parallel trainer runs it (each share encoded apart, the head
 * over all embeddings, each share's embedding gradients back-propagated through its own towers,
 * the shares' parameter gradients summed) against the same step on the whole batch in one graph.
 */
class GlobalBatchSharesStepTest {

    /** A transformer of both families' smallest useful size: 2 layers each side, 4 patches of 4x4. */
    static final ModelConfig TRANSFORMER = new TransformerConfig(16, true,
            new TransformerConfig.Vision(16, 8, 32, 2, 16, 2.0), new TransformerConfig.Text(12, 1, 32, 2, 2, 2.0),
            TransformerConfig.WORDS, PixelNormalization.OPENAI);

    private static final int BATCH = 32;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "transformer"})
    void sharesGiveTheWholeBatchsLossAndGradients(String family) {
        ModelConfig base = family.equals("mlp") ? TrainingRuns.CONFIG : TRANSFORMER;
        PairDataset data = ShapesDataset.generate(base.imageSize(), base.channels(), 5, 64, 0);
        Vocabulary vocabulary = base.vocabularyFor(
                Vocabulary.fromCaptions(data.train().stream().map(e -> e.caption()).toList()));
        ModelConfig config = base.withVocabSize(vocabulary.size());
        ClipModel model = ClipModel.initialize(config, vocabulary, 7);
        EncodedPairs pairs = new EncodedPairs(config, vocabulary, data.train(), "shapes");
        int[] order = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            order[i] = (i * 13 + 5) % pairs.size();
        }
        try (Backend backend = Backends.create("vector", 1)) {
            ClipGraph whole = ClipGraph.create(model, backend, BATCH);
            Batch batch = new Batch(config, BATCH);
            pairs.fill(batch, order, 0, BATCH);
            double expectedLoss = whole.forward(batch);
            whole.backward();

            // 3 shares of 11, 11 and 10: unequal, as a batch not divisible by the workers cuts
            GlobalBatchShares shares = new GlobalBatchShares(BATCH, 3);
            ClipModel replica = ClipModel.initialize(config, vocabulary, 7);
            ShareWorker worker = new ShareWorker(replica, backend, shares.maxSize(), false, false);
            GlobalHead head = new GlobalHead(model, backend, shares);
            for (int p = 0; p < 3; p++) {
                head.put(p, worker.encode(pairs, java.util.Arrays.copyOfRange(order, shares.start(p),
                        shares.start(p + 1))));
            }
            double loss = head.forward();
            float dLogScale = head.backward();
            float[] sum = new float[FlatTensors.size(model.tensors())];
            for (int p = 0; p < 3; p++) {
                // the worker encodes the share again: it keeps one share's activations at a time
                worker.encode(pairs, java.util.Arrays.copyOfRange(order, shares.start(p), shares.start(p + 1)));
                float[] part = worker.backward(head.dImages(p), head.dTexts(p));
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += part[i];
                }
            }

            assertEquals(expectedLoss, loss, 1e-6 * Math.abs(expectedLoss), "loss");
            List<Tensor> expected = whole.gradients().tensors();
            int at = 0;
            for (Tensor gradient : expected) {
                float[] want = gradient.data();
                if (gradient.name().equals(ClipModel.LOGIT_SCALE)) {
                    assertEquals(0f, sum[at], "the workers leave the scale's gradient to the head");
                    assertEquals(want[0], dLogScale, 1e-5 * Math.max(1, Math.abs(want[0])), "logit_scale");
                } else {
                    double scale = 0;
                    double error = 0;
                    for (int i = 0; i < want.length; i++) {
                        scale = Math.max(scale, Math.abs(want[i]));
                        error = Math.max(error, Math.abs(want[i] - sum[at + i]));
                    }
                    assertTrue(scale > 0, gradient.name() + " has a gradient to compare");
                    assertTrue(error <= 1e-5 * scale, gradient.name() + ": max difference " + error + " of "
                            + scale);
                }
                at += gradient.size();
            }
        }
    }
}

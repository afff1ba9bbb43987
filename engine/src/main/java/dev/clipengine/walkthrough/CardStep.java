package dev.clipengine.walkthrough;

import dev.clipengine.model.Batch;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.MlpGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.training.Sgd;
import dev.clipengine.training.TrainedTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training step of the card's mini-batch through the engine's own graph, kernels and SGD,
 * keeping every intermediate number so it can be shown.
 */
public final class CardStep {

    /**
     * What the step trains: the encoders and projections, the card's red borders. The word
     * vectors get a gradient too, but the card takes them from word2vec and keeps them fixed.
     */
    public static final List<String> TRAINED = List.of(
            ClipModel.TEXT_ENCODER_WEIGHT, ClipModel.TEXT_ENCODER_BIAS,
            ClipModel.TEXT_PROJECTION_WEIGHT, ClipModel.TEXT_PROJECTION_BIAS,
            ClipModel.IMAGE_ENCODER_WEIGHT, ClipModel.IMAGE_ENCODER_BIAS,
            ClipModel.IMAGE_PROJECTION_WEIGHT, ClipModel.IMAGE_PROJECTION_BIAS);

    /** The scale of the logits that turns the softmax's e^x into the card's 3^x: e^(x ln 3) = 3^x. */
    public static final double BASE_3_SCALE = Math.log(3);

    private CardStep() {
    }

    /**
     * Runs forward, backward and one SGD step (no momentum, no weight decay) at learningRate on
     * the setup's model, which keeps the updated weights.
     *
     * @param scale the logits' scale: 1 for the softmax's e^x, {@link #BASE_3_SCALE} for the card's 3^x
     */
    public static CardTrace run(CardSetup setup, Backend backend, double scale, float learningRate) {
        ClipModel model = setup.model();
        MlpConfig config = (MlpConfig) model.config();
        int n = setup.captions().size();
        int dim = config.embedDim();
        model.tensor(ClipModel.LOGIT_SCALE).data()[0] = (float) Math.log(scale);

        Batch batch = new Batch(config, n);
        int[][] captions = new int[n][];
        for (int k = 0; k < n; k++) {
            captions[k] = model.vocabulary().encode(setup.captions().get(k), config.maxTokens(), "caption T" + (k + 1));
        }
        batch.fillCaptions(captions, 0, n);
        float[] patches = setup.patches();
        System.arraycopy(patches, 0, batch.patches, 0, patches.length);
        int[] imageStart = new int[n + 1];
        for (int k = 0; k <= n; k++) {
            imageStart[k] = k * CardSetup.PATCHES_PER_IMAGE;
        }

        MlpGraph graph = new MlpGraph(model, backend, n, CardSetup.PATCHES_PER_IMAGE);
        Map<String, Matrix> weights = snapshot(model.tensors(), TRAINED);
        double loss = graph.forward(batch);
        graph.backward();
        MlpGraph.Activations a = graph.activations();
        int tokens = batch.tokenCount();
        CardTrace.Side text = new CardTrace.Side(
                Matrix.of(a.tokenVectors(), tokens, config.wordDim()),
                Matrix.of(a.textHidden(), tokens, config.textHidden()),
                Matrix.of(a.textPooled(), n, config.textHidden()),
                Matrix.of(a.textEmbeddings(), n, dim),
                Matrix.of(a.dTextEmbeddings(), n, dim),
                Arrays.copyOf(batch.tokenStart, n + 1));
        CardTrace.Side image = new CardTrace.Side(
                Matrix.of(patches, n * CardSetup.PATCHES_PER_IMAGE, config.patchDim()),
                Matrix.of(a.imageHidden(), n * CardSetup.PATCHES_PER_IMAGE, config.imageHidden()),
                Matrix.of(a.imagePooled(), n, config.imageHidden()),
                Matrix.of(a.imageEmbeddings(), n, dim),
                Matrix.of(a.dImageEmbeddings(), n, dim),
                imageStart);
        CardTrace.Head head = head(backend, a, n, dim, loss);
        List<String> withWords = new ArrayList<>(TRAINED);
        withWords.add(ClipModel.TOKEN_EMBEDDING);
        Map<String, Matrix> gradients = snapshot(graph.gradients().tensors(), withWords);

        List<TrainedTensor> trained = TRAINED.stream()
                .map(name -> new TrainedTensor(model.tensor(name), graph.gradients().get(name))).toList();
        new Sgd(backend, trained, 0f, 0f).step(learningRate);
        Map<String, Matrix> updated = snapshot(model.tensors(), TRAINED);
        double lossAfter = graph.forward(batch);
        // the scale as the graph computed it from the stored logit_scale
        double usedScale = (float) StrictMath.exp(model.logitScale());
        return new CardTrace(setup.captions(), setup.words(), model.vocabulary().words(), usedScale, learningRate,
                text, image, head, weights, gradients, updated, lossAfter);
    }

    /**
     * The head's numbers, with the two the engine never forms: the plain dot products (the same
     * kernel at scale 1) and the exponentials of the logits, whose row and column sums are the
     * exponentials of the log-sum-exps the softmax kernels return.
     */
    private static CardTrace.Head head(Backend backend, MlpGraph.Activations a, int n, int dim, double loss) {
        float[] similarities = new float[n * n];
        backend.sgemm(false, true, n, n, dim, 1f, a.imageEmbeddings(), 0, dim, a.textEmbeddings(), 0, dim,
                0f, similarities, 0, n);
        float[] exponentials = new float[n * n];
        for (int ij = 0; ij < n * n; ij++) {
            exponentials[ij] = (float) StrictMath.exp(a.logits()[ij]);
        }
        return new CardTrace.Head(
                new Matrix(similarities, n, n),
                Matrix.of(a.logits(), n, n),
                new Matrix(exponentials, n, n),
                new Matrix(exp(a.rowLogSumExp(), n), n, 1),
                new Matrix(exp(a.columnLogSumExp(), n), 1, n),
                Matrix.of(a.rowSoftmax(), n, n),
                Matrix.of(a.columnSoftmax(), n, n),
                Matrix.of(a.dLogits(), n, n),
                loss);
    }

    private static float[] exp(float[] logs, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) StrictMath.exp(logs[i]);
        }
        return out;
    }

    /** Copies of the named tensors, a vector as a column (it lines up with its weight's rows). */
    private static Map<String, Matrix> snapshot(List<Tensor> tensors, List<String> names) {
        Map<String, Matrix> out = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            if (names.contains(t.name())) {
                out.put(t.name(), new Matrix(t.data(), t.dim(0), t.rank() == 2 ? t.dim(1) : 1));
            }
        }
        return out;
    }
}

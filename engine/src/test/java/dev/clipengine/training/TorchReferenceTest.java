package dev.clipengine.training;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three optimizer steps on a weight matrix (decayed) and a bias (not decayed) against the numbers
 * PyTorch 1.13 printed for the same steps in float32:
 *
 * <pre>
 * w = Parameter([[0.5, -1.25, 2.0], [0.0, 3.5, -0.75]]); b = Parameter([0.1, -0.2])
 * opt = torch.optim.AdamW([{'params': [w], 'weight_decay': 0.1}, {'params': [b], 'weight_decay': 0.0}],
 *                         lr=0.01, betas=(0.9, 0.98), eps=1e-6)
 *   or torch.optim.SGD(same groups, lr=0.05, momentum=0.9)
 * for gw, gb in GRADIENTS: w.grad, b.grad = tensor(gw), tensor(gb); opt.step()
 * </pre>
 */
class TorchReferenceTest {

    private static final float[][][] GRADIENTS = {
            {{0.3f, -0.1f, 0.02f, 1.5f, -2.0f, 0.0f}, {0.05f, -0.4f}},
            {{-0.2f, 0.4f, 0.01f, 0.7f, 1.0f, -0.3f}, {0.1f, 0.2f}},
            {{0.0f, 0.0f, 0.5f, -1.0f, 0.25f, 0.125f}, {-0.3f, 0.0f}},
    };

    private static final float[] ADAMW_W = {0.48595044016838074f, -1.2461674213409424f, 1.968047857284546f,
            -0.02202090620994568f, 3.503504514694214f, -0.7375064492225647f};
    private static final float[] ADAMW_B = {0.0837310254573822f, -0.18525420129299164f};
    private static final float[] SGD_W = {0.46461954712867737f, -1.239532232284546f, 1.9155012369155884f,
            -0.21815188229084015f, 3.5640969276428223f, -0.7068774104118347f};
    private static final float[] SGD_B = {0.09872499853372574f, -0.1648000031709671f};

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void adamwStepsAsPyTorch(String backendName) {
        try (Backend backend = Backends.create(backendName, 1)) {
            List<TrainedTensor> trained = tensors();
            Optimizer adamw = new AdamW(backend, trained, 0.9, 0.98, 1e-6f, 0.1f);
            run(adamw, trained, 0.01f);
            assertClose(ADAMW_W, trained.get(0).parameter().data(), "AdamW weight");
            assertClose(ADAMW_B, trained.get(1).parameter().data(), "AdamW bias");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void sgdStepsAsPyTorch(String backendName) {
        try (Backend backend = Backends.create(backendName, 1)) {
            List<TrainedTensor> trained = tensors();
            Optimizer sgd = new Sgd(backend, trained, 0.9f, 0.1f);
            run(sgd, trained, 0.05f);
            assertClose(SGD_W, trained.get(0).parameter().data(), "SGD weight");
            assertClose(SGD_B, trained.get(1).parameter().data(), "SGD bias");
        }
    }

    private static List<TrainedTensor> tensors() {
        Tensor w = new Tensor("w", new int[] {2, 3}, new float[] {0.5f, -1.25f, 2.0f, 0.0f, 3.5f, -0.75f});
        Tensor b = new Tensor("b", new int[] {2}, new float[] {0.1f, -0.2f});
        return List.of(new TrainedTensor(w, Tensor.zeros("dw", 2, 3)), new TrainedTensor(b, Tensor.zeros("db", 2)));
    }

    private static void run(Optimizer optimizer, List<TrainedTensor> trained, float lr) {
        for (float[][] step : GRADIENTS) {
            for (int t = 0; t < trained.size(); t++) {
                System.arraycopy(step[t], 0, trained.get(t).gradient().data(), 0, step[t].length);
            }
            optimizer.step(lr);
        }
    }

    /** Within a few float roundings: PyTorch's own kernels order their operations differently. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 4e-7 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }
}

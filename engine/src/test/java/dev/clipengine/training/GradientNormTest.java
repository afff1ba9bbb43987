package dev.clipengine.training;

import dev.clipengine.model.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class GradientNormTest {

    private static TrainedTensor tensor(String name, float... gradient) {
        return new TrainedTensor(Tensor.zeros(name, gradient.length), new Tensor(name, new int[] {gradient.length}, gradient));
    }

    @Test
    void theNormRunsOverEveryTensorAndClippingMatchesPyTorch() {
        List<TrainedTensor> trained = List.of(tensor("a", 3f, 0f), tensor("logit_scale", 4f));
        double norm = GradientNorm.global(trained);
        assertEquals(5.0, norm, 0);
        GradientNorm.clip(trained, norm, 1.0);
        // torch.nn.utils.clip_grad_norm_: coefficient = max_norm / (total_norm + 1e-6)
        float coefficient = (float) (1.0 / (5.0 + 1e-6));
        assertArrayEquals(new float[] {3f * coefficient, 0f}, trained.get(0).gradient().data());
        assertArrayEquals(new float[] {4f * coefficient}, trained.get(1).gradient().data());
    }

    @Test
    void gradientsWithinTheLimitAreLeftAlone() {
        List<TrainedTensor> trained = List.of(tensor("a", 0.3f, 0.4f));
        GradientNorm.clip(trained, GradientNorm.global(trained), 1.0);
        assertArrayEquals(new float[] {0.3f, 0.4f}, trained.get(0).gradient().data());
    }

    @Test
    void aNonFiniteGradientIsNamed() {
        List<TrainedTensor> trained = List.of(tensor("a", 1f), tensor("b", Float.NaN));
        assertEquals(Double.NaN, GradientNorm.global(trained));
        assertEquals("b", GradientNorm.firstNonFinite(trained));
        assertNull(GradientNorm.firstNonFinite(List.of(tensor("a", 1f))));
    }
}

package dev.clipengine.training;

import dev.clipengine.kernels.Backend;
import dev.clipengine.model.Tensor;

import java.util.ArrayList;
import java.util.List;

/** PyTorch's AdamW: bias-corrected moments, decoupled weight decay on tensors of rank 2 and up. */
public final class AdamW implements Optimizer {

    /** open_clip's values for CLIP. */
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.98;
    public static final float DEFAULT_EPS = 1e-6f;

    private final Backend backend;
    private final List<TrainedTensor> trained;
    /** In double, as PyTorch's are: the bias corrections {@code 1 - beta^t} are taken from them. */
    private final double beta1;
    private final double beta2;
    private final float eps;
    private final float weightDecay;
    private final List<Tensor> firstMoments = new ArrayList<>();
    private final List<Tensor> secondMoments = new ArrayList<>();
    private long steps;
    /** beta^steps as running products: plain multiplications allocate nothing and repeat exactly. */
    private double beta1Power = 1;
    private double beta2Power = 1;

    public AdamW(Backend backend, List<TrainedTensor> trained, double beta1, double beta2, float eps,
                 float weightDecay) {
        this.backend = backend;
        this.trained = List.copyOf(trained);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (TrainedTensor t : trained) {
            firstMoments.add(Tensor.zeros("optimizer.exp_avg." + t.name(), t.parameter().shape()));
            secondMoments.add(Tensor.zeros("optimizer.exp_avg_sq." + t.name(), t.parameter().shape()));
        }
    }

    @Override
    public void step(float lr) {
        steps++;
        beta1Power *= beta1;
        beta2Power *= beta2;
        float biasCorrection1 = (float) (1 - beta1Power);
        float biasCorrection2 = (float) (1 - beta2Power);
        for (int i = 0; i < trained.size(); i++) {
            TrainedTensor t = trained.get(i);
            backend.adamwStep(t.size(), t.parameter().data(), t.gradient().data(), firstMoments.get(i).data(),
                    secondMoments.get(i).data(), lr, (float) beta1, (float) beta2, eps, t.decays() ? weightDecay : 0f,
                    biasCorrection1, biasCorrection2);
        }
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void restore(long savedSteps, java.util.Map<String, Tensor> saved, String source) {
        OptimizerState.copyInto(state(), saved, source);
        steps = 0;
        beta1Power = 1;
        beta2Power = 1;
        // the same multiplications as the uninterrupted run, so the corrections match bit for bit
        while (steps < savedSteps) {
            steps++;
            beta1Power *= beta1;
            beta2Power *= beta2;
        }
    }

    @Override
    public List<Tensor> state() {
        List<Tensor> state = new ArrayList<>(firstMoments);
        state.addAll(secondMoments);
        return state;
    }

    @Override
    public String describe() {
        return "adamw (betas " + beta1 + ", " + beta2 + ", eps " + eps + ", weight decay " + weightDecay + ")";
    }
}

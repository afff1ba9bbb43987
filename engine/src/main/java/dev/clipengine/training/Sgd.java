package dev.clipengine.training;

import dev.clipengine.kernels.Backend;
import dev.clipengine.model.Tensor;

import java.util.ArrayList;
import java.util.List;

/** PyTorch's SGD with optional momentum (dampening 0, not Nesterov) and L2 weight decay. */
public final class Sgd implements Optimizer {

    private final Backend backend;
    private final List<TrainedTensor> trained;
    private final float momentum;
    private final float weightDecay;
    private final List<Tensor> momentumBuffers = new ArrayList<>();
    private long steps;

    public Sgd(Backend backend, List<TrainedTensor> trained, float momentum, float weightDecay) {
        this.backend = backend;
        this.trained = List.copyOf(trained);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        if (momentum != 0f) {
            for (TrainedTensor t : trained) {
                momentumBuffers.add(Tensor.zeros("optimizer.momentum_buffer." + t.name(), t.parameter().shape()));
            }
        }
    }

    @Override
    public void step(float lr) {
        for (int i = 0; i < trained.size(); i++) {
            TrainedTensor t = trained.get(i);
            float[] buffer = momentum != 0f ? momentumBuffers.get(i).data() : null;
            backend.sgdStep(t.size(), t.parameter().data(), t.gradient().data(), buffer, lr, momentum,
                    t.decays() ? weightDecay : 0f);
        }
        steps++;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void restore(long savedSteps, java.util.Map<String, Tensor> saved, String source) {
        OptimizerState.copyInto(state(), saved, source);
        steps = savedSteps;
    }

    @Override
    public List<Tensor> state() {
        return List.copyOf(momentumBuffers);
    }

    @Override
    public String describe() {
        return "sgd (momentum " + momentum + ", weight decay " + weightDecay + ")";
    }
}

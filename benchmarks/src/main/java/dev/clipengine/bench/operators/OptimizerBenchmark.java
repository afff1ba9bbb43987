package dev.clipengine.bench.operators;

import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import dev.clipengine.training.AdamW;
import dev.clipengine.training.Optimizer;
import dev.clipengine.training.Sgd;
import dev.clipengine.training.TrainedTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * {@code sgdStep} and {@code adamwStep} as an optimizer step calls them: once for every tensor of the
 * benchmark model (about 140,000 values in all), through the engine's own {@link Sgd} and {@link AdamW}.
 */
public class OptimizerBenchmark extends OperatorBenchmark {

    private static final float LEARNING_RATE = 0.002f;
    /** With momentum and weight decay, so that every term of the update is computed. */
    private static final float MOMENTUM = 0.9f;
    private static final float WEIGHT_DECAY = 0.1f;

    private Optimizer sgd;
    private Optimizer adamw;

    @Override
    void prepare() {
        List<TrainedTensor> trained = new ArrayList<>();
        for (Map.Entry<String, int[]> entry : MODEL.tensorShapes().entrySet()) {
            int size = Math.toIntExact(Tensor.size(entry.getValue()));
            Tensor weight = new Tensor(entry.getKey(), entry.getValue(), randomFloats(size));
            Tensor gradient = new Tensor(entry.getKey(), entry.getValue(), randomFloats(size));
            trained.add(new TrainedTensor(weight, gradient));
        }
        sgd = new Sgd(kernels, trained, MOMENTUM, WEIGHT_DECAY);
        adamw = new AdamW(kernels, trained, AdamW.DEFAULT_BETA1, AdamW.DEFAULT_BETA2, AdamW.DEFAULT_EPS, WEIGHT_DECAY);
    }

    /** Each call moves the weights on by one step; the work is the same whatever they hold. */
    @Benchmark
    public Optimizer sgdStep() {
        sgd.step(LEARNING_RATE);
        return sgd;
    }

    @Benchmark
    public Optimizer adamwStep() {
        adamw.step(LEARNING_RATE);
        return adamw;
    }
}

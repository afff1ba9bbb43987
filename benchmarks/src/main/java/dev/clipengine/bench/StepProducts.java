package dev.clipengine.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The matrix products of one training step of each benchmark model at a batch size, recorded from
 * a real step the first time a model is asked for; and the notation {@code step:MODEL} that stands
 * for a model's distinct products in a list of shapes.
 */
public final class StepProducts {

    private static final String TOKEN_PREFIX = "step:";

    private final int batchSize;
    private final Map<String, List<GemmShape>> byModel = new HashMap<>();

    public StepProducts(int batchSize) {
        this.batchSize = batchSize;
    }

    public static boolean isToken(String value) {
        return value.startsWith(TOKEN_PREFIX);
    }

    /** Every product of one step of the model, in call order, repeats included. */
    public List<GemmShape> of(String model) {
        return byModel.computeIfAbsent(model,
                name -> TrainingStep.products(BenchmarkModels.config(name), batchSize));
    }

    public List<GemmShape> distinct(String model) {
        return of(model).stream().distinct().toList();
    }

    /**
     * The floating-point operations of one step's products, {@code 2 m n k} each, and nothing
     * else. The other operators (bias, ReLU, pooling, softmax, normalisation, embedding, optimizer)
     * do a handful of operations per element they read, so their time is memory traffic rather than
     * arithmetic; leaving them out keeps a step's GFLOPS comparable with sgemm's and with the FMA
     * limit.
     */
    public long flops(String model) {
        return of(model).stream().mapToLong(GemmShape::flops).sum();
    }

    /**
     * The values with each {@code step:MODEL} replaced by that model's distinct products; a shape
     * that comes up more than once is kept the first time only.
     */
    public List<String> expand(Collection<String> values) {
        LinkedHashSet<String> shapes = new LinkedHashSet<>();
        for (String value : values) {
            if (isToken(value)) {
                distinct(value.substring(TOKEN_PREFIX.length())).forEach(shape -> shapes.add(shape.toString()));
            } else {
                shapes.add(value);
            }
        }
        return List.copyOf(shapes);
    }
}

package dev.clipengine.training;

import dev.clipengine.BadInputException;
import dev.clipengine.model.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Copies saved optimizer tensors into an optimizer's own, checking names and shapes. */
final class OptimizerState {

    private OptimizerState() {
    }

    static void copyInto(List<Tensor> own, Map<String, Tensor> saved, String source) {
        for (Tensor t : own) {
            Tensor from = saved.get(t.name());
            if (from == null) {
                throw new BadInputException(source + ": the optimizer tensor " + t.name() + " is missing");
            }
            if (!Arrays.equals(from.shape(), t.shape())) {
                throw new BadInputException(source + ": the optimizer tensor " + t.name() + " has shape "
                        + Arrays.toString(from.shape()) + ", expected " + Arrays.toString(t.shape()));
            }
            System.arraycopy(from.data(), 0, t.data(), 0, t.size());
        }
    }
}

package dev.clipengine.training;

/** Hears about a training run's progress, e.g. to print it. Called on the training thread. */
public interface TrainingListener {

    /** Called after each step with that step's numbers. */
    void step(StepReport report);

    /**
     * @param step            1-based number of the step just taken
     * @param totalSteps      the run's length
     * @param epoch           1-based epoch the step belongs to
     * @param loss            the batch's loss before the update
     * @param learningRate    the rate the step used
     * @param logitScale      exp(logit_scale) after the step
     * @param stepSeconds     wall time of the step's compute (forward, backward, update)
     * @param batchSize       pairs in the step
     */
    record StepReport(long step, long totalSteps, long epoch, double loss, double learningRate, double logitScale,
                      double stepSeconds, int batchSize) {
    }
}

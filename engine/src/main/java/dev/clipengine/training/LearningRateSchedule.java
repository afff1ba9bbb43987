package dev.clipengine.training;

/** The learning rate of each step (docs/model.md). */
public interface LearningRateSchedule {

    /** The rate for 0-based step s. */
    double rate(long step);

    static LearningRateSchedule constant(double base) {
        return step -> base;
    }

    /**
     * open_clip's warmup then cosine: {@code base (s + 1) / W} below W, then
     * {@code 0.5 (1 + cos(pi e / E)) base} with {@code e = s - W}, {@code E = total - W}.
     */
    static LearningRateSchedule cosine(double base, long warmup, long total) {
        return step -> {
            if (step < warmup) {
                return base * (step + 1) / warmup;
            }
            long decaySteps = total - warmup;
            if (decaySteps <= 0) {
                return base;
            }
            return 0.5 * (1 + StrictMath.cos(Math.PI * (step - warmup) / decaySteps)) * base;
        };
    }
}

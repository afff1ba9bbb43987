package dev.clipengine.training;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** open_clip's warmup-then-cosine at chosen steps, worked out by hand. */
class LearningRateScheduleTest {

    @Test
    void warmsUpLinearlyThenFollowsTheCosineDownToZero() {
        LearningRateSchedule schedule = LearningRateSchedule.cosine(0.1, 10, 110);
        assertEquals(0.01, schedule.rate(0), 1e-15);          // (0 + 1) / 10
        assertEquals(0.05, schedule.rate(4), 1e-15);          // (4 + 1) / 10
        assertEquals(0.1, schedule.rate(9), 1e-15);           // the last warmup step reaches the base
        assertEquals(0.1, schedule.rate(10), 1e-15);          // e = 0: cos 0 = 1
        assertEquals(0.05, schedule.rate(60), 1e-15);         // e = 50 of 100: cos(pi / 2) = 0
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.9)) * 0.1, schedule.rate(100), 1e-15);
        assertEquals(0.0, schedule.rate(110), 1e-15);         // the end
    }

    @Test
    void aConstantRateIsConstant() {
        assertEquals(0.3, LearningRateSchedule.constant(0.3).rate(12345));
    }
}

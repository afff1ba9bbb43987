package dev.clipengine.spark;

import java.io.Serializable;

/**
 * Called by every task before its work, with the step's phase ({@code encode} or {@code backward}),
 * weights version and partition: how a test makes a task fail, to see Spark's retry give the same
 * result. Runs on the executors.
 */
@FunctionalInterface
public interface TaskHook extends Serializable {

    TaskHook NONE = (phase, version, partition) -> { };

    void beforeTask(String phase, long version, int partition);
}

package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.training.DistributedEngineProvider;
import dev.clipengine.training.DistributedTraining;
import dev.clipengine.training.InProcessEngine;
import dev.clipengine.training.PairsSource;
import dev.clipengine.training.StepEngine;
import dev.clipengine.training.TrainingOptions;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * {@code --spark} and {@code --partitions}: training data-parallel on a Spark cluster, whose engine
 * is found on the class path (clip-engine-spark.jar brings it; the core jar does not carry Spark).
 */
final class DistributedFlags {

    static final String ENGINE = "spark";

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Train data-parallel on Spark: local[N] in this JVM, spark://HOST:7077, yarn, ... Needs "
                    + "clip-engine-spark.jar (docs/spark.md).")
    String master;

    @Option(names = "--partitions", paramLabel = "N",
            description = "With --spark: the shares each global batch is cut into, one task each. Default: 2.")
    Integer partitions;

    /**
     * Checks the flags before any work, with {@code --spark} the shares against the batch size when
     * it is known before anything is read (else the supplier gives null: it comes with a file, and
     * {@link #checkShares} checks them once it is read); returns the engine's provider, or null for
     * one process.
     */
    DistributedEngineProvider check(Supplier<Integer> batchSizeBeforeReading) {
        if (master == null) {
            if (partitions != null) {
                throw new BadInputException("--partitions goes with --spark MASTER");
            }
            return null;
        }
        if (master.isBlank()) {
            throw new BadInputException("--spark needs a master: local[2], spark://HOST:7077, yarn, ...");
        }
        Integer batchSize = batchSizeBeforeReading.get();
        if (batchSize != null) {
            checkShares(batchSize);
        } else {
            Options.atLeast("--partitions", partitionCount(), 1);
        }
        return ServiceLoader.load(DistributedEngineProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(provider -> provider.name().equals(ENGINE))
                .findFirst()
                .orElseThrow(() -> new BadInputException("--spark needs the Spark engine, which this jar lacks: run "
                        + "clip-engine-spark.jar (built in spark/target by ./build; docs/spark.md)"));
    }

    /** Refuses more shares than a batch has pairs. */
    void checkShares(int batchSize) {
        if (master != null) {
            Options.range("--partitions", partitionCount(), 1, batchSize);
        }
    }

    int partitionCount() {
        return partitions == null ? 2 : partitions;
    }

    /** The engine of the run: in this process, or the provider's on the cluster. */
    StepEngine engine(DistributedEngineProvider provider, ClipGraph graph, TrainingOptions options, PairsSource pairs,
                      int trainPairs, String backend, PrintWriter log) {
        if (provider == null) {
            return new InProcessEngine(graph);
        }
        return provider.create(new DistributedTraining(master, partitionCount(), graph, options, pairs, trainPairs,
                backend, log));
    }
}

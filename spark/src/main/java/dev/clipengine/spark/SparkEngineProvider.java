package dev.clipengine.spark;

import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.text.ClipBpe;
import dev.clipengine.training.DistributedEngineProvider;
import dev.clipengine.training.DistributedTraining;
import dev.clipengine.training.StepEngine;
import dev.clipengine.training.Trainer;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/** {@code train --spark MASTER}: the Spark engine, found by the command line when this module is on the class path. */
public final class SparkEngineProvider implements DistributedEngineProvider {

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public StepEngine create(DistributedTraining training) {
        return create(training, TaskHook.NONE);
    }

    /** As {@link #create(DistributedTraining)}, every task calling {@code hook} first. */
    public static StepEngine create(DistributedTraining training, TaskHook hook) {
        if (training.partitions() < 1 || training.partitions() > training.options().batchSize()) {
            throw new BadInputException("--partitions must be 1.." + training.options().batchSize()
                    + " (the batch size), got " + training.partitions());
        }
        ClipModel model = training.graph().model();
        if (model.config() instanceof TransformerConfig t && TransformerConfig.CLIP_BPE.equals(t.tokenizer())
                && model.clipBpe() != ClipBpe.openAi()) {
            throw new BadInputException("--spark: this model's byte-pair vocabulary is its own (from a Hugging Face "
                    + "folder), which the executors do not get: train it in one process");
        }
        // one context per JVM, stopped by Spark's own shutdown hook: a second run in this JVM shares it
        SparkContext context;
        try {
            SparkConf conf = conf(training.master());
            shipOwnJars(conf, training);
            context = SparkContext.getOrCreate(conf);
        } catch (RuntimeException e) {
            throw new BadInputException("--spark " + training.master() + ": Spark did not start: " + e.getMessage());
        }
        if (!context.master().equals(training.master())) {
            training.log().println("note: this JVM's Spark context runs on " + context.master() + ", not "
                    + training.master() + " (one context per JVM): training there");
        }
        training.log().println("spark:     " + context.master() + " (Spark " + context.version() + "), "
                + training.partitions() + " partitions of " + training.options().batchSize() / training.partitions()
                + (training.options().batchSize() % training.partitions() == 0 ? "" : "+") + " pairs");
        return new SparkStepEngine(JavaSparkContext.fromSparkContext(context), training, hook);
    }

    /**
     * Adds to {@code spark.jars} the jars of clip-engine's classes the executors run (the engine,
     * the trainer's, the pairs source's), unless already listed: {@code spark-submit} ships the
     * application jar only, and a driver started with {@code java} ships nothing. Classes loaded from
     * folders (the tests') are not shipped; a local master needs none.
     */
    private static void shipOwnJars(SparkConf conf, DistributedTraining training) {
        if (training.master().startsWith("local")) {
            return;
        }
        java.util.Set<String> jars = new java.util.LinkedHashSet<>();
        for (String jar : conf.get("spark.jars", "").split(",")) {
            if (!jar.isBlank()) {
                jars.add(jar);
            }
        }
        for (Class<?> type : java.util.List.of(SparkEngineProvider.class, Trainer.class, training.pairs().getClass())) {
            scala.Option<String> jar = SparkContext.jarOfClass(type);
            if (jar.isDefined()) {
                jars.add(jar.get());
            }
        }
        conf.set("spark.jars", String.join(",", jars));
    }

    /**
     * The context's settings: results and broadcasts of a few MB go straight to the driver, and a
     * local master binds to the loopback address (no network needed, none exposed). Settings given
     * by {@code spark-submit} or {@code -Dspark.*} win.
     */
    static SparkConf conf(String master) {
        SparkConf conf = new SparkConf().setAppName("clip-engine train").setMaster(master);
        conf.setIfMissing("spark.task.maxDirectResultSize", "64m");
        conf.setIfMissing("spark.ui.enabled", "false");
        if (master.startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        return conf;
    }
}

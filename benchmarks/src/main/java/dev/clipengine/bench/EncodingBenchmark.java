package dev.clipengine.bench;

import dev.clipengine.model.Batch;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Encoding without gradients, as search and zero-shot classification use a model: {@code items}
 * images (16, or 1 as one query to a server), and as many captions either filling every position
 * of the context ({@code full}, the worst case, as PyTorch computes every position) or of a real
 * caption's length ({@code real}, 12 tokens with start and end, the positions after the end
 * skipped). Random weights of the config's shape; the cost does not depend on their values.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xmx8g"})
public class EncodingBenchmark extends BenchmarkSettings {

    /** Words of a "real" caption: with start and end, 12 positions. */
    static final int REAL_WORDS = 10;

    @State(Scope.Thread)
    public static class Encoder {
        @Param({"ViT-B-32"})
        public String model;

        @Param({"vector", "blas"})
        public String backend;

        @Param({"2"})
        public int threads;

        @Param({"full", "real"})
        public String captions;

        @Param({"16"})
        public int items;

        Backend kernels;
        ClipGraph graph;
        Batch batch;

        @Setup(Level.Trial)
        public void plan() {
            ModelConfig shape = BenchmarkModels.config(model);
            List<String> words = new ArrayList<>();
            words.add(Vocabulary.UNKNOWN);
            for (int i = 1; i < BenchmarkModels.VOCABULARY_SIZE; i++) {
                words.add("w" + i);
            }
            Vocabulary vocabulary = shape.vocabularyFor(new Vocabulary(words));
            TransformerConfig config = (TransformerConfig) shape.withVocabSize(vocabulary.size());
            kernels = BenchmarkSetup.backend(backend, threads);
            graph = ClipGraph.create(ClipModel.initialize(config, vocabulary, 0), kernels, items);
            batch = new Batch(config, items);
            SplittableRandom random = new SplittableRandom(0);
            int context = config.text().contextLength();
            int length = captions.equals("full") ? context : REAL_WORDS + 2;
            int[][] ids = new int[items][context];
            int end = vocabulary.id(Vocabulary.END);
            for (int[] caption : ids) {
                caption[0] = vocabulary.id(Vocabulary.START);
                for (int t = 1; t < length - 1; t++) {
                    caption[t] = random.nextInt(1, BenchmarkModels.VOCABULARY_SIZE);
                }
                caption[length - 1] = end;
            }
            float[] pixels = new float[items * 3 * config.imageSize() * config.imageSize()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextDouble(-2, 2);
            }
            batch.fillImageValues(config, pixels, items);
            // the images stay in place: only the captions' ids and starts change
            batch.fillCaptions(ids, 0, items);
        }

        @TearDown(Level.Trial)
        public void close() {
            kernels.close();
        }
    }

    /** The images alone, as indexing a folder does. */
    @Benchmark
    public float[] encodeImages(Encoder e) {
        return e.graph.encodeImages(e.batch);
    }

    /** The captions alone, as a text query does. */
    @Benchmark
    public float[] encodeTexts(Encoder e) {
        return e.graph.encodeTexts(e.batch);
    }

    @Benchmark
    public float[] encodeImagesAndTexts(Encoder e) {
        e.graph.encodeImages(e.batch);
        return e.graph.encodeTexts(e.batch);
    }
}

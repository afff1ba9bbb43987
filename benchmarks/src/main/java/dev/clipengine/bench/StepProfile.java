package dev.clipengine.bench;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a training step's time goes: a few warm steps of a benchmark model with every backend call
 * timed ({@link TimingBackend}), printed as a table of operators (and of {@code sgemm} by shape),
 * longest first, with each one's share of the step and, for products and attention, its GFLOPS.
 * With {@code --encode}, the step is encoding the batch's images and captions (captions of the
 * whole context) without gradients instead. JMH times whole steps more carefully
 * ({@code TrainingStepBenchmark}, {@code EncodingBenchmark}); this says which operator to work on.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp benchmarks/target/benchmarks.jar dev.clipengine.bench.StepProfile \
 *     [--model vit-bench] [--backend vector] [--threads 2] [--batch 256] [--warmup 3] [--steps 5] [--encode]
 * </pre>
 */
public final class StepProfile {

    private StepProfile() {
    }

    public static void main(String[] args) {
        CommandLine line = new CommandLine("StepProfile",
                "--model NAME --backend NAME --threads N --batch N --warmup N --steps N --encode", args,
                Set.of("--model", "--backend", "--threads", "--batch", "--warmup", "--steps"), Set.of("--encode"));
        String model = line.text("--model", "vit-bench");
        String backendName = line.text("--backend", "vector");
        int threads = line.positive("--threads", 2);
        int batch = line.positive("--batch", BenchmarkModels.BATCH_SIZE);
        int warmup = line.positive("--warmup", 3);
        int steps = line.positive("--steps", 5);
        boolean encode = line.has("--encode");
        try (TimingBackend timing = new TimingBackend(BenchmarkSetup.backend(backendName, threads))) {
            TrainingStep step = new TrainingStep(BenchmarkModels.config(model), timing, batch, 0);
            // a training task's restart() only copies arrays: outside the backend, so not in the table
            Runnable work = step.task(encode);
            for (int i = 0; i < warmup; i++) {
                work.run();
            }
            timing.reset();
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                work.run();
            }
            double seconds = (System.nanoTime() - start) / 1e9 / steps;
            print((encode ? "encoding, " : "training, ") + model, timing, batch, steps, seconds);
        }
    }

    private static void print(String model, TimingBackend backend, int batch, int steps, double stepSeconds) {
        List<TimingBackend.Entry> entries = backend.entries();
        long productNanos = entries.stream().filter(e -> e.name.startsWith("sgemm")).mapToLong(e -> e.nanos).sum();
        long productFlops = entries.stream().filter(e -> e.name.startsWith("sgemm")).mapToLong(e -> e.flops).sum();
        long allNanos = entries.stream().mapToLong(e -> e.nanos).sum();
        System.out.printf(Locale.ROOT, "%s, batch %d, %s, %d steps: %.1f ms a step (%.1f ms in backend calls); "
                        + "products %.1f ms a step at %.1f GFLOPS%n", model, batch, backend.describe(), steps,
                stepSeconds * 1e3, allNanos / 1e6 / steps, productNanos / 1e6 / steps,
                productFlops / (double) productNanos);
        System.out.println();
        System.out.println("| operator | calls a step | ms a step | share | GFLOPS |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (TimingBackend.Entry e : entries) {
            String gflops = e.flops == 0 ? "" : String.format(Locale.ROOT, "%.1f", e.flops / (double) e.nanos);
            System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.1f%% | %s |%n", e.name, e.calls / steps,
                    e.nanos / 1e6 / steps, 100.0 * e.nanos / allNanos, gflops);
        }
    }
}

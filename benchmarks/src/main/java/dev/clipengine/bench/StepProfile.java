package dev.clipengine.bench;

import java.util.List;
import java.util.Locale;

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
        String model = "vit-bench";
        String backendName = "vector";
        int threads = 2;
        int batch = BenchmarkModels.BATCH_SIZE;
        int warmup = 3;
        int steps = 5;
        boolean encode = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--encode")) {
                encode = true;
                continue;
            }
            if (i + 1 >= args.length) {
                usage("a value is missing after " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--model" -> model = value;
                case "--backend" -> backendName = value;
                case "--threads" -> threads = positive(option, value);
                case "--batch" -> batch = positive(option, value);
                case "--warmup" -> warmup = positive(option, value);
                case "--steps" -> steps = positive(option, value);
                default -> usage("unknown option " + option);
            }
        }
        try (TimingBackend timing = new TimingBackend(BenchmarkSetup.backend(backendName, threads))) {
            TrainingStep step = new TrainingStep(BenchmarkModels.config(model), timing, batch, 0);
            Runnable work = encode ? step::encode : () -> {
                step.run();
                // restart() only copies arrays: outside the backend, so it is not in the table
                step.restart();
            };
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

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        usage(option + " needs a positive whole number, not \"" + value + "\"");
        return 0;
    }

    private static void usage(String problem) {
        System.err.println("StepProfile: " + problem
                + " (options: --model NAME --backend NAME --threads N --batch N --warmup N --steps N --encode)");
        System.exit(2);
    }
}

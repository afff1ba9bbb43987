package dev.clipengine.bench;

import dev.clipengine.kernels.Backend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whole steps of one model on two or more backends, interleaved in one JVM: round after round, each
 * backend takes the same step (a training step, or with {@code --encode} encoding the batch), so
 * that a neighbour's load on a shared machine falls on all of them alike. Separate runs of
 * {@link StepProfile} or JMH forks, minutes apart, compare one backend on a quiet minute with another
 * on a busy one; here every round gives a ratio of its own and the median of those ratios is the
 * figure to quote. Each backend's model starts from the same weights and takes the same batch.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp benchmarks/target/benchmarks.jar dev.clipengine.bench.InterleavedStep \
 *     [--model vit-bench] [--backends vector,blas] [--threads 2] [--batch 256] [--warmup 2] [--rounds 7] [--encode]
 *     [--by-operator]
 * </pre>
 *
 * <p>With {@code --by-operator} every backend call is timed too ({@link TimingBackend}) and a table
 * gives each operator's (and each product shape's) milliseconds a round on every backend, side by
 * side: which operators make the difference, measured under the same load.
 *
 * <p>Every backend keeps a whole model, its gradients and its optimizer's moments: two backends of
 * {@code ViT-B-32} need a heap of about 12 GB ({@code -Xmx14g}).
 */
public final class InterleavedStep {

    private InterleavedStep() {
    }

    public static void main(String[] args) {
        CommandLine line = new CommandLine("InterleavedStep",
                "--model NAME --backends A,B --threads N --batch N --warmup N --rounds N --encode --by-operator", args,
                Set.of("--model", "--backends", "--threads", "--batch", "--warmup", "--rounds"),
                Set.of("--encode", "--by-operator"));
        String model = line.text("--model", "vit-bench");
        String[] backends = line.text("--backends", "vector,blas").split(",");
        int threads = line.positive("--threads", 2);
        int batch = line.positive("--batch", BenchmarkModels.BATCH_SIZE);
        int warmup = line.positive("--warmup", 2);
        int rounds = line.positive("--rounds", 7);
        boolean encode = line.has("--encode");
        boolean byOperator = line.has("--by-operator");
        if (backends.length < 2) {
            throw line.fail("--backends needs two or more names, comma-separated");
        }
        List<Backend> opened = new ArrayList<>();
        try {
            Runnable[] work = new Runnable[backends.length];
            TimingBackend[] timings = new TimingBackend[backends.length];
            for (int b = 0; b < backends.length; b++) {
                Backend backend = BenchmarkSetup.backend(backends[b], threads);
                if (byOperator) {
                    backend = timings[b] = new TimingBackend(backend);
                }
                opened.add(backend);
                TrainingStep step = new TrainingStep(BenchmarkModels.config(model), backend, batch, 0);
                work[b] = step.task(encode);
            }
            // warm-up interleaved too, so that no backend's JIT compiles while another is timed
            for (int i = 0; i < warmup; i++) {
                for (Runnable w : work) {
                    w.run();
                }
            }
            for (TimingBackend timing : timings) {
                if (timing != null) {
                    timing.reset();
                }
            }
            double[][] millis = new double[backends.length][rounds];
            for (int round = 0; round < rounds; round++) {
                // forwards, then backwards: no backend always follows the same one
                for (int i = 0; i < backends.length; i++) {
                    int b = round % 2 == 0 ? i : backends.length - 1 - i;
                    long start = System.nanoTime();
                    work[b].run();
                    millis[b][round] = (System.nanoTime() - start) / 1e6;
                }
            }
            print(model, encode, batch, threads, backends, millis);
            if (byOperator) {
                printOperators(backends, timings, rounds);
            }
        } finally {
            for (Backend backend : opened) {
                backend.close();
            }
        }
    }

    private static void print(String model, boolean encode, int batch, int threads, String[] backends,
                              double[][] millis) {
        int rounds = millis[0].length;
        System.out.printf(Locale.ROOT, "%s %s, batch %d, %d thread%s, %d rounds%n", encode ? "encoding" : "training",
                model, batch, threads, threads == 1 ? "" : "s", rounds);
        for (int b = 0; b < backends.length; b++) {
            double[] sorted = millis[b].clone();
            Arrays.sort(sorted);
            StringBuilder each = new StringBuilder();
            for (double ms : millis[b]) {
                each.append(String.format(Locale.ROOT, " %.0f", ms));
            }
            System.out.printf(Locale.ROOT, "  %-8s median %9.1f ms  best %9.1f ms  (rounds:%s)%n", backends[b],
                    median(sorted), sorted[0], each);
        }
        for (int b = 1; b < backends.length; b++) {
            // the first backend's speed over the b-th's, round by round: above 1, the first is faster
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = millis[b][r] / millis[0][r];
            }
            Arrays.sort(ratios);
            System.out.printf(Locale.ROOT, "  %s/%s speed: median %.3f (rounds %.3f to %.3f)%n", backends[0],
                    backends[b], median(ratios), ratios[0], ratios[rounds - 1]);
        }
    }

    /**
     * Each operator's milliseconds a round on every backend, the largest on the first backend first,
     * then any that only the other backends called.
     */
    private static void printOperators(String[] backends, TimingBackend[] timings, int rounds) {
        List<Map<String, TimingBackend.Entry>> byName = new ArrayList<>();
        for (TimingBackend timing : timings) {
            Map<String, TimingBackend.Entry> entries = new LinkedHashMap<>();
            for (TimingBackend.Entry e : timing.entries()) {
                entries.put(e.name, e);
            }
            byName.add(entries);
        }
        StringBuilder header = new StringBuilder("| operator | calls a round |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (String backend : backends) {
            header.append(" `").append(backend).append("` ms |");
            rule.append("---:|");
        }
        for (int b = 1; b < backends.length; b++) {
            header.append(" `").append(backends[0]).append("`/`").append(backends[b]).append("` speed |");
            rule.append("---:|");
        }
        System.out.println();
        System.out.println(header);
        System.out.println(rule);
        Set<String> names = new LinkedHashSet<>();
        for (TimingBackend timing : timings) {
            timing.entries().forEach(e -> names.add(e.name));
        }
        for (String name : names) {
            TimingBackend.Entry first = byName.get(0).get(name);
            long calls = byName.stream().map(entries -> entries.get(name)).filter(e -> e != null)
                    .mapToLong(e -> e.calls).findFirst().orElse(0);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %d |", name, calls / rounds));
            for (Map<String, TimingBackend.Entry> entries : byName) {
                TimingBackend.Entry e = entries.get(name);
                row.append(e == null ? " - |" : String.format(Locale.ROOT, " %.2f |", e.nanos / 1e6 / rounds));
            }
            for (int b = 1; b < backends.length; b++) {
                TimingBackend.Entry other = byName.get(b).get(name);
                row.append(first == null || other == null || first.nanos == 0 ? " - |"
                        : String.format(Locale.ROOT, " %.2f |", other.nanos / (double) first.nanos));
            }
            System.out.println(row);
        }
    }

    /** Of sorted values; of an even count, the mean of the middle two. */
    private static double median(double[] sorted) {
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

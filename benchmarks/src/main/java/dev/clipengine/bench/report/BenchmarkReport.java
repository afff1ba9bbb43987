package dev.clipengine.bench.report;

import dev.clipengine.bench.BenchmarkModels;
import dev.clipengine.bench.GemmShape;
import dev.clipengine.bench.StepProducts;
import dev.clipengine.bench.TrainingStepBenchmark;
import dev.clipengine.bench.report.JmhResult.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads JMH's JSON results and prints Markdown: first the machine they were measured on (its CPU,
 * FMA limit, OpenBLAS core and whether {@code OPENBLAS_CORETYPE} was set), then tables of sgemm
 * GFLOPS by shape and backend, the
 * training step in pairs a second, GFLOPS and share of the FMA limit, the other operators' times,
 * and anything else as JMH gave it; draws the sgemm figures as PNG bar charts into a folder and
 * links them from the Markdown by file name.
 *
 * <pre>
 *   java -cp benchmarks.jar dev.clipengine.bench.report.BenchmarkReport [--charts DIR] RESULTS.json|DIR...
 * </pre>
 *
 * The machine is read from the {@code machine.properties} that {@code benchmarks/run} saves in a
 * results folder, or else probed when the report is made (and said to be).
 */
public final class BenchmarkReport {

    /**
     * The FMA limit of one core in GFLOPS when the results hold no {@code FmaLimitBenchmark} of their
     * own: a loop of nothing but independent fp32 FMAs ran at about 155 GFLOPS on one core of an
     * Intel Xeon with AVX-512 and two FMA units a core. Stated per core, and a run on N threads is
     * held against N times it. Other machines differ (a faster clock, other units), which is why the
     * limit measured beside the other results, when there is one, is used instead.
     */
    static final double FMA_LIMIT_GFLOPS_PER_CORE = 155;
    private static final String FMA_LIMIT = "FmaLimitBenchmark";
    /** Above this, a warm step allocates for real; below, it is JMH's own bookkeeping spread over the steps. */
    static final double ALLOCATION_LIMIT_BYTES = 1024;

    private static final String SGEMM = "SgemmBenchmark";
    private static final String TRAINING = "TrainingStepBenchmark";
    private static final String OPERATORS = "dev.clipengine.bench.operators.";
    private static final List<String> BACKEND_ORDER = List.of("scalar", "vector", "blas", "javacpp");

    private final List<JmhResult> results;
    private final List<String> stepModels;
    private final Machine machine;
    private final Map<Integer, StepProducts> productsByBatch = new HashMap<>();

    /**
     * @param stepModels the models whose training-step products label the sgemm shapes ("in a step of")
     */
    BenchmarkReport(List<JmhResult> results, List<String> stepModels, Machine machine) {
        this.results = List.copyOf(results);
        this.stepModels = List.copyOf(stepModels);
        this.machine = java.util.Objects.requireNonNull(machine, "machine");
    }

    public static void main(String[] args) throws IOException {
        Path chartDir = null;
        List<Path> files = new ArrayList<>();
        Machine machine = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--charts") && i + 1 < args.length) {
                chartDir = Path.of(args[++i]);
            } else if (args[i].startsWith("-")) {
                System.err.println("usage: BenchmarkReport [--charts DIR] RESULTS.json|DIR...");
                System.exit(2);
            } else {
                Path path = Path.of(args[i]);
                files.addAll(jsonFiles(path));
                if (machine == null && Files.isDirectory(path)) {
                    machine = Machine.readFrom(path);
                }
            }
        }
        if (machine == null) {
            machine = Machine.probe("probed when this report was made, not when the benchmarks ran: "
                    + "no machine.properties beside the results");
        }
        List<JmhResult> results = new ArrayList<>();
        for (Path file : files) {
            results.addAll(JmhResult.read(file));
        }
        BenchmarkReport report = new BenchmarkReport(results, BenchmarkModels.NAMES, machine);
        System.out.print(report.markdown());
        if (chartDir != null) {
            List<Path> charts = report.writeCharts(chartDir);
            if (!charts.isEmpty()) {
                // links relative to the charts' folder, where the run script also writes this report
                System.out.println("\n## Charts\n");
                charts.forEach(chart -> System.out.println("![" + chart.getFileName() + "](" + chart.getFileName() + ")"));
            }
        }
    }

    private static List<Path> jsonFiles(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> listing = Files.list(path)) {
            return listing.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    String markdown() {
        StringBuilder out = new StringBuilder("# Benchmark results\n");
        out.append(machine.markdown(fmaLimitFact()));
        List<SgemmPoint> sgemm = sgemmPoints();
        if (!sgemm.isEmpty()) {
            out.append(sgemmSection(sgemm));
        }
        List<JmhResult> training = results.stream().filter(r -> r.className().equals(TRAINING)).toList();
        if (!training.isEmpty()) {
            out.append(trainingSection(training));
        }
        List<JmhResult> operators = results.stream().filter(r -> r.benchmark().startsWith(OPERATORS)).toList();
        if (!operators.isEmpty()) {
            out.append(operatorSection(operators));
        }
        List<JmhResult> others = results.stream().filter(r -> !r.className().equals(SGEMM)
                && !r.className().equals(TRAINING) && !r.className().equals(FMA_LIMIT)
                && !r.benchmark().startsWith(OPERATORS)).toList();
        if (!others.isEmpty()) {
            out.append(otherSection(others));
        }
        return out.toString();
    }

    /** The measured FMA limit of that many threads in GFLOPS, if the results hold it. */
    private java.util.OptionalDouble measuredFmaLimit(int threads) {
        String method = threads == 1 ? "oneThread" : threads == 2 ? "twoThreads" : "";
        return results.stream().filter(r -> r.className().equals(FMA_LIMIT) && r.method().equals(method))
                // JMH times each thread's calls; the threads run side by side
                .mapToDouble(r -> threads * dev.clipengine.bench.FmaLimitBenchmark.flopsPerCall()
                        / r.primary().secondsPerOp() / 1e9)
                .findFirst();
    }

    /** The FMA limit a run on that many threads is held against, in GFLOPS. */
    double fmaLimit(int threads) {
        return measuredFmaLimit(threads).orElse(FMA_LIMIT_GFLOPS_PER_CORE * threads);
    }

    /** The FMA limit as the machine section states it: measured, or the figure assumed instead. */
    private String fmaLimitFact() {
        var one = measuredFmaLimit(1);
        var two = measuredFmaLimit(2);
        if (one.isEmpty() && two.isEmpty()) {
            return "not measured (FmaLimitBenchmark did not run with these results); shares of it below assume "
                    + figure(FMA_LIMIT_GFLOPS_PER_CORE) + " GFLOPS a core";
        }
        List<String> parts = new ArrayList<>();
        one.ifPresent(g -> parts.add(figure(g) + " GFLOPS on 1 thread"));
        two.ifPresent(g -> parts.add(figure(g) + " GFLOPS on 2 threads"));
        return String.join(", ", parts) + " (FmaLimitBenchmark, measured with these results)";
    }

    private String fmaLimitSentence() {
        var one = measuredFmaLimit(1);
        var two = measuredFmaLimit(2);
        if (one.isPresent() && two.isPresent()) {
            return "The FMA limit, measured beside these results (FmaLimitBenchmark: independent vector FMAs "
                    + "only), is " + figure(one.getAsDouble()) + " GFLOPS on 1 thread and "
                    + figure(two.getAsDouble()) + " on 2.";
        }
        return "The FMA limit is " + figure(FMA_LIMIT_GFLOPS_PER_CORE) + " GFLOPS a core, times the threads (run "
                + "FmaLimitBenchmark beside the results to measure this machine's).";
    }

    /** One chart of sgemm GFLOPS per thread count; returns the files written. */
    List<Path> writeCharts(Path dir) throws IOException {
        List<SgemmPoint> points = sgemmPoints();
        List<Path> written = new ArrayList<>();
        for (int threads : threadCounts(points)) {
            List<SgemmPoint> atThreads = points.stream().filter(p -> p.threads() == threads).toList();
            Path file = dir.resolve("sgemm-gflops-" + threadsLabel(threads).replace(' ', '-') + ".png");
            SgemmChart.write(file, "sgemm, " + threadsLabel(threads), shapeOrder(atThreads),
                    backendsIn(atThreads.stream().map(SgemmPoint::backend)), (shape, backend) ->
                            find(atThreads, shape, backend).map(SgemmPoint::gflops).orElse(null));
            written.add(file);
        }
        return written;
    }

    /** One measured product: its shape, where it ran, and its time. */
    record SgemmPoint(GemmShape shape, String backend, int threads, Metric metric) {
        double gflops() {
            return shape.flops() / metric.secondsPerOp() / 1e9;
        }
    }

    private List<SgemmPoint> sgemmPoints() {
        List<SgemmPoint> points = new ArrayList<>();
        for (JmhResult r : results) {
            if (!r.className().equals(SGEMM)) {
                continue;
            }
            switch (r.method()) {
                case "sgemm" -> points.add(new SgemmPoint(GemmShape.parse(r.param("shape")), r.param("backend"),
                        Integer.parseInt(r.param("threads")), r.primary()));
                case "stepSgemm" -> points.add(new SgemmPoint(GemmShape.parse(r.param("product")),
                        r.param("backend"), Integer.parseInt(r.param("threads")), r.primary()));
                case "scalarSgemm" -> points.add(new SgemmPoint(GemmShape.parse(r.param("scalarShape")), "scalar", 1,
                        r.primary()));
                default -> throw new IllegalArgumentException("unknown sgemm benchmark " + r.benchmark());
            }
        }
        return points;
    }

    private String sgemmSection(List<SgemmPoint> points) {
        StringBuilder out = new StringBuilder();
        for (int threads : threadCounts(points)) {
            List<SgemmPoint> atThreads = points.stream().filter(p -> p.threads() == threads).toList();
            List<String> backends = backendsIn(atThreads.stream().map(SgemmPoint::backend));
            List<String[]> ratios = Stream.of(new String[] {"vector", "blas"}, new String[] {"blas", "javacpp"})
                    .filter(pair -> backends.contains(pair[0]) && backends.contains(pair[1])).toList();
            List<String> headers = new ArrayList<>(List.of("shape", "in a step of"));
            backends.forEach(headers::add);
            ratios.forEach(pair -> headers.add(pair[0] + "/" + pair[1]));
            MarkdownTable table = new MarkdownTable(headers, 2);
            for (GemmShape shape : shapeOrder(atThreads)) {
                List<String> row = new ArrayList<>(List.of(shape.toString(), stepLabel(shape)));
                for (String backend : backends) {
                    row.add(find(atThreads, shape, backend).map(p -> withError(p.gflops(), p.metric())).orElse(""));
                }
                for (String[] pair : ratios) {
                    var numerator = find(atThreads, shape, pair[0]);
                    var denominator = find(atThreads, shape, pair[1]);
                    row.add(numerator.isPresent() && denominator.isPresent()
                            ? ratio(numerator.get().gflops() / denominator.get().gflops()) : "");
                }
                table.add(row);
            }
            out.append("\n## sgemm, ").append(threadsLabel(threads)).append(": GFLOPS\n\n")
                    .append("GFLOPS = 2 m n k / time per call (JMH's 99.9% error after the +-). A shape is m x n x k, ")
                    .append("T marks a transposed operand; \"in a step of\" names the models whose training step ")
                    .append("at batch ").append(BenchmarkModels.BATCH_SIZE)
                    .append(" runs that product (x2: twice a step).\n\n")
                    .append(table);
        }
        return out.toString();
    }

    private String trainingSection(List<JmhResult> training) {
        List<StepRun> runs = training.stream().map(BenchmarkReport::stepRun)
                .sorted(Comparator.comparing((StepRun s) -> order(BenchmarkModels.NAMES, s.model()))
                        .thenComparing(s -> order(BACKEND_ORDER, s.backend())).thenComparingInt(StepRun::threads))
                .toList();
        boolean allocation = runs.stream().anyMatch(s -> s.result().secondary(JmhResult.ALLOCATION_PER_OP).isPresent());
        List<String> headers = new ArrayList<>(List.of("model", "backend", "threads", "ms/step", "pairs/s", "GFLOPS",
                "of FMA limit"));
        if (allocation) {
            headers.add("allocated/step");
        }
        MarkdownTable table = new MarkdownTable(headers, 2);
        Map<ModelAtBatch, Long> stepFlops = new TreeMap<>(Comparator
                .comparingInt((ModelAtBatch m) -> order(BenchmarkModels.NAMES, m.model()))
                .thenComparing(ModelAtBatch::model).thenComparingInt(ModelAtBatch::batch));
        double largestAllocation = 0;
        for (StepRun run : runs) {
            Metric time = run.result().primary();
            double seconds = time.secondsPerOp();
            long flops = products(run.batch()).flops(run.model());
            stepFlops.put(new ModelAtBatch(run.model(), run.batch()), flops);
            double gflops = flops / seconds / 1e9;
            List<String> row = new ArrayList<>(List.of(run.model(), run.backend(), Integer.toString(run.threads()),
                    withError(seconds * 1e3, time), figure(run.batch() / seconds), figure(gflops),
                    String.format(Locale.ROOT, "%.0f%%", 100 * gflops / fmaLimit(run.threads()))));
            if (allocation) {
                var bytes = run.result().secondary(JmhResult.ALLOCATION_PER_OP);
                row.add(bytes.map(b -> figure(b.score()) + " B").orElse(""));
                largestAllocation = Math.max(largestAllocation, bytes.map(Metric::score).orElse(0.0));
            }
            table.add(row);
        }
        StringBuilder out = new StringBuilder("\n## Training step: forward, backward, AdamW update\n\n")
                .append("A step's floating-point operations are those of its matrix products (2 m n k each; ")
                .append("the other operators are not counted): ")
                .append(stepFlops.entrySet().stream().map(e -> e.getKey().model() + " " + figure(e.getValue() / 1e6)
                        + " MFLOP at batch " + e.getKey().batch()).collect(Collectors.joining(", "))).append(". ")
                .append(fmaLimitSentence()).append("\n\n")
                .append(table);
        if (allocation) {
            out.append("\nLargest allocation per step (JMH -prof gc, ").append(JmhResult.ALLOCATION_PER_OP).append("): ")
                    .append(figure(largestAllocation)).append(" B, ")
                    .append(largestAllocation < ALLOCATION_LIMIT_BYTES ? "under" : "OVER")
                    .append(" the ").append(figure(ALLOCATION_LIMIT_BYTES)).append(" B a warm step may show.\n");
        }
        return out.toString();
    }

    private record ModelAtBatch(String model, int batch) {
    }

    /** A training-step result's coordinates; {@code seedStepOnScalar} has no parameters, its are fixed. */
    private record StepRun(String model, String backend, int threads, int batch, JmhResult result) {
    }

    private static StepRun stepRun(JmhResult r) {
        return switch (r.method()) {
            case "step" -> new StepRun(r.param("model"), r.param("backend"), Integer.parseInt(r.param("threads")),
                    Integer.parseInt(r.param("batch")), r);
            case "seedStepOnScalar" -> new StepRun(TrainingStepBenchmark.SCALAR_MODEL,
                    TrainingStepBenchmark.SCALAR_BACKEND, 1, BenchmarkModels.BATCH_SIZE, r);
            default -> throw new IllegalArgumentException("unknown training benchmark " + r.benchmark());
        };
    }

    private String operatorSection(List<JmhResult> operators) {
        Map<String, Map<String, Metric>> byOperator = new TreeMap<>();
        for (JmhResult r : operators) {
            String where = r.params().entrySet().stream().filter(p -> !p.getKey().equals("backend"))
                    .map(Map.Entry::getValue).collect(Collectors.joining(", "));
            String name = r.method() + (where.isEmpty() ? "" : " (" + where + ")");
            byOperator.computeIfAbsent(name, n -> new HashMap<>()).put(r.param("backend"), r.primary());
        }
        List<String> backends = backendsIn(operators.stream().map(r -> r.param("backend")));
        List<String> headers = new ArrayList<>(List.of("operator"));
        backends.forEach(b -> headers.add(b + " (us)"));
        boolean ratio = backends.contains("scalar") && backends.contains("vector");
        if (ratio) {
            headers.add("scalar/vector");
        }
        MarkdownTable table = new MarkdownTable(headers, 1);
        byOperator.forEach((name, times) -> {
            List<String> row = new ArrayList<>(List.of(name));
            for (String backend : backends) {
                Metric time = times.get(backend);
                row.add(time == null ? "" : withError(time.secondsPerOp() * 1e6, time));
            }
            if (ratio) {
                Metric scalar = times.get("scalar");
                Metric vector = times.get("vector");
                row.add(scalar != null && vector != null ? ratio(scalar.secondsPerOp() / vector.secondsPerOp()) : "");
            }
            table.add(row);
        });
        return "\n## Other operators: time per call\n\n"
                + "At the sizes of a training step of the benchmark model at batch " + BenchmarkModels.BATCH_SIZE
                + " (image: every patch, text: every token); one thread. blas and javacpp run vector's.\n\n" + table;
    }

    private static String otherSection(List<JmhResult> others) {
        MarkdownTable table = new MarkdownTable(List.of("benchmark", "parameters", "score", "unit"), 2);
        for (JmhResult r : others) {
            String params = r.params().entrySet().stream().map(p -> p.getKey() + "=" + p.getValue())
                    .collect(Collectors.joining(", "));
            table.add(List.of(r.className() + "." + r.method(), params, withError(r.primary().score(), r.primary()),
                    r.primary().unit()));
        }
        return "\n## Other benchmarks\n\n" + table;
    }

    private StepProducts products(int batchSize) {
        return productsByBatch.computeIfAbsent(batchSize, StepProducts::new);
    }

    /** The models whose step at the benchmark batch runs this product, with how often when more than once. */
    private String stepLabel(GemmShape shape) {
        List<String> uses = new ArrayList<>();
        for (String model : stepModels) {
            long calls = products(BenchmarkModels.BATCH_SIZE).of(model).stream().filter(shape::equals).count();
            if (calls > 0) {
                uses.add(calls == 1 ? model : model + " x" + calls);
            }
        }
        return String.join(", ", uses);
    }

    /** Squares and other given shapes by size, then step products in the order the models' steps run them. */
    private List<GemmShape> shapeOrder(List<SgemmPoint> points) {
        Set<GemmShape> measured = points.stream().map(SgemmPoint::shape).collect(Collectors.toSet());
        Set<GemmShape> stepShapes = new LinkedHashSet<>();
        for (String model : stepModels) {
            stepShapes.addAll(products(BenchmarkModels.BATCH_SIZE).distinct(model));
        }
        List<GemmShape> ordered = new ArrayList<>(measured.stream().filter(s -> !stepShapes.contains(s))
                .sorted(Comparator.comparingLong(GemmShape::flops).thenComparing(GemmShape::toString)).toList());
        stepShapes.stream().filter(measured::contains).forEach(ordered::add);
        return ordered;
    }

    private static Optional<SgemmPoint> find(List<SgemmPoint> points, GemmShape shape, String backend) {
        return points.stream().filter(p -> p.shape().equals(shape) && p.backend().equals(backend)).findFirst();
    }

    private static List<Integer> threadCounts(List<SgemmPoint> points) {
        return points.stream().map(SgemmPoint::threads).distinct().sorted().toList();
    }

    /** The backends that appear, the known ones in their usual order, others after them by name. */
    private static List<String> backendsIn(Stream<String> backends) {
        return backends.distinct().sorted(Comparator.comparingInt((String b) -> order(BACKEND_ORDER, b))
                .thenComparing(b -> b)).toList();
    }

    private static int order(List<String> known, String value) {
        int index = known.indexOf(value);
        return index >= 0 ? index : known.size();
    }

    private static String threadsLabel(int threads) {
        return threads + (threads == 1 ? " thread" : " threads");
    }

    /** Three significant figures or so, without exponents: 0.0123, 1.23, 12.3, 123, 12345. */
    static String figure(double value) {
        // the thresholds are where rounding to three digits carries into a fourth: 99.97 prints as 100
        double magnitude = Math.abs(value);
        String format = magnitude >= 99.95 || magnitude == 0 ? "%.0f" : magnitude >= 9.995 ? "%.1f"
                : magnitude >= 0.9995 ? "%.2f" : "%.3g";
        return String.format(Locale.ROOT, format, value);
    }

    /** The figure and JMH's error as a percentage, e.g. {@code 183 +-4%}; the figure alone where JMH gave no error. */
    private static String withError(double value, Metric metric) {
        double relative = metric.relativeError();
        return Double.isFinite(relative)
                ? figure(value) + String.format(Locale.ROOT, " +-%.0f%%", 100 * relative) : figure(value);
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}

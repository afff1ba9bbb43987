package dev.clipengine.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One entry of JMH's JSON results ({@code -rf json}): a benchmark method at one set of parameters. */
record JmhResult(String benchmark, Map<String, String> params, Metric primary, Map<String, Metric> secondary) {

    /** JMH's allocation per operation under {@code -prof gc}, in bytes. */
    static final String ALLOCATION_PER_OP = "gc.alloc.rate.norm";

    /** A score with JMH's 99.9% confidence half-width (NaN where too few samples were taken). */
    record Metric(double score, double error, String unit) {

        private static final Map<String, Double> SECONDS = Map.of(
                "ns", 1e-9, "us", 1e-6, "ms", 1e-3, "s", 1.0, "min", 60.0);

        /** The time of one operation, from a time per operation or an operations-per-time score. */
        double secondsPerOp() {
            String[] parts = unit.split("/");
            if (parts.length == 2 && parts[1].equals("op") && SECONDS.containsKey(parts[0])) {
                return score * SECONDS.get(parts[0]);
            }
            if (parts.length == 2 && parts[0].equals("ops") && SECONDS.containsKey(parts[1])) {
                return SECONDS.get(parts[1]) / score;
            }
            throw new IllegalArgumentException("not a time per operation or a throughput: " + unit);
        }

        /** The error as a fraction of the score; NaN when JMH gave none. */
        double relativeError() {
            return error / score;
        }
    }

    /** The class's simple name, e.g. {@code SgemmBenchmark}. */
    String className() {
        String owner = benchmark.substring(0, benchmark.lastIndexOf('.'));
        return owner.substring(owner.lastIndexOf('.') + 1);
    }

    String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    String param(String name) {
        String value = params.get(name);
        if (value == null) {
            throw new IllegalArgumentException(benchmark + " has no parameter " + name);
        }
        return value;
    }

    Optional<Metric> secondary(String name) {
        return Optional.ofNullable(secondary.get(name));
    }

    static List<JmhResult> read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        if (root == null || !root.isArray()) {
            throw new IOException(file + ": not JMH's JSON results (an array of benchmark entries)");
        }
        List<JmhResult> results = new ArrayList<>();
        for (JsonNode entry : root) {
            Map<String, String> params = new LinkedHashMap<>();
            entry.path("params").properties().forEach(p -> params.put(p.getKey(), p.getValue().asText()));
            Map<String, Metric> secondary = new LinkedHashMap<>();
            // older JMH versions put a '·' before the profilers' metric names
            entry.path("secondaryMetrics").properties().forEach(m ->
                    secondary.put(m.getKey().replace("·", ""), metric(m.getValue())));
            results.add(new JmhResult(entry.path("benchmark").asText(), params, metric(entry.path("primaryMetric")),
                    secondary));
        }
        return results;
    }

    /** JMH writes a missing error as the string "NaN". */
    private static Metric metric(JsonNode node) {
        return new Metric(node.path("score").asDouble(Double.NaN), node.path("scoreError").asDouble(Double.NaN),
                node.path("scoreUnit").asText());
    }
}

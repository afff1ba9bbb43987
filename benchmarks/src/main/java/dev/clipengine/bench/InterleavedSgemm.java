package dev.clipengine.bench;

import dev.clipengine.kernels.Backend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Two or more backends' {@code sgemm} on the same shapes, interleaved in one JVM: round after round,
 * each backend runs the product for a fixed time, so that a neighbour's load on a shared machine
 * falls on all of them alike instead of on whichever JMH happened to be running. Prints the median
 * and best GFLOPS of each backend over the rounds and the ratio of the first backend to the second.
 * A cross-check of {@link SgemmBenchmark}, not a replacement: no forks, no blackhole, one process.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp benchmarks/target/benchmarks.jar dev.clipengine.bench.InterleavedSgemm \
 *   [--backends vector,blas] [--threads 1,2] [--rounds 5] [--seconds 0.3] 800x2304Tx768 512 ...
 * </pre>
 */
public final class InterleavedSgemm {

    /** Time each backend runs a shape before the rounds: C2 needs seconds for the Vector API. */
    private static final double WARM_UP_SECONDS = 1.5;
    /** Where each call's result goes, so that the JIT cannot drop the work. */
    private static volatile float sink;

    private InterleavedSgemm() {
    }

    public static void main(String[] args) {
        String[] backends = {"vector", "blas"};
        int[] threadCounts = {1, 2};
        int rounds = 5;
        double seconds = 0.3;
        List<GemmShape> shapes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backends" -> backends = args[++i].split(",");
                case "--threads" -> threadCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                default -> shapes.add(GemmShape.parse(args[i]));
            }
        }
        if (shapes.isEmpty()) {
            System.err.println("usage: InterleavedSgemm [--backends vector,blas] [--threads 1,2] [--rounds 5]"
                    + " [--seconds 0.3] SHAPE... (e.g. 512 or 800x2304Tx768)");
            System.exit(2);
        }
        for (int threads : threadCounts) {
            for (GemmShape shape : shapes) {
                System.out.println(measure(shape, backends, threads, rounds, seconds));
            }
        }
    }

    private static String measure(GemmShape shape, String[] backends, int threads, int rounds, double seconds) {
        SgemmCall[] calls = new SgemmCall[backends.length];
        double[][] gflops = new double[backends.length][rounds];
        try {
            for (int i = 0; i < backends.length; i++) {
                calls[i] = new SgemmCall(shape, BenchmarkSetup.backend(backends[i], threads));
                secondsPerCall(calls[i], WARM_UP_SECONDS);
            }
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < backends.length; i++) {
                    gflops[i][round] = shape.flops() / secondsPerCall(calls[i], seconds) / 1e9;
                }
            }
        } finally {
            for (SgemmCall call : calls) {
                if (call != null) {
                    call.close();
                }
            }
        }
        StringBuilder line = new StringBuilder(String.format("%-16s %d thread%s", shape, threads, threads == 1 ? " " : "s"));
        double[] medians = new double[backends.length];
        double[] bests = new double[backends.length];
        for (int i = 0; i < backends.length; i++) {
            double[] sorted = gflops[i].clone();
            Arrays.sort(sorted);
            medians[i] = sorted[rounds / 2];
            bests[i] = sorted[rounds - 1];
            line.append(String.format("  %s %6.1f (best %6.1f)", backends[i], medians[i], bests[i]));
        }
        if (backends.length >= 2) {
            line.append(String.format("  %s/%s %.2f (best %.2f)", backends[0], backends[1], medians[0] / medians[1],
                    bests[0] / bests[1]));
        }
        return line.toString();
    }

    /** Runs the call repeatedly for about the given time; returns the mean seconds per call. */
    private static double secondsPerCall(SgemmCall call, double seconds) {
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        int calls = 0;
        long now;
        do {
            sink = call.run()[0];
            calls++;
            now = System.nanoTime();
        } while (now < deadline);
        return (now - start) / 1e9 / calls;
    }
}

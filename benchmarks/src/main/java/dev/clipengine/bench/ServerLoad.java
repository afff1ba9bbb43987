package dev.clipengine.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded load on a running {@code clip-engine serve}: a fixed number of requests from a fixed
 * number of concurrent clients, alternating {@code /embed} (a text and an image) and
 * {@code /classify} (an image over three labels), after a few requests one at a time that warm
 * the server up and are not counted. Prints each status's count and the latency
 * percentiles of the answered (200) requests; exits 1 when any answer is other than 200 or the
 * server's intended 503, or a request fails outright.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.clipengine.bench.ServerLoad \
 *   --url http://127.0.0.1:8080 [--token-file FILE] [--requests 1000] [--clients 8] [--warm-up 20] IMAGE
 * </pre>
 * ({@code benchmarks/server-load} starts a server on the fixture model and runs this against it.)
 */
public final class ServerLoad {

    private ServerLoad() {
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String token = null;
        int requests = 1000;
        int clients = 8;
        int warmUp = 20;
        Path image = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--token-file" -> token = Files.readString(Path.of(args[++i])).lines().findFirst().orElse("").strip();
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--warm-up" -> warmUp = Integer.parseInt(args[++i]);
                default -> image = Path.of(args[i]);
            }
        }
        if (url == null || image == null || requests < 1 || clients < 1 || warmUp < 0) {
            System.err.println("usage: ServerLoad --url URL [--token-file FILE] [--requests 1000] [--clients 8]"
                    + " [--warm-up 20] IMAGE");
            System.exit(2);
        }
        String picture = Base64.getEncoder().encodeToString(Files.readAllBytes(image));
        List<HttpRequest> kinds = List.of(
                request(url + "/embed", token, "{\"texts\": [\"a photo of a cat\"], \"images\": [\"" + picture + "\"]}"),
                request(url + "/classify", token, "{\"images\": [\"" + picture
                        + "\"], \"labels\": [\"cat\", \"dog\", \"car\"]}"));
        Result warming = run(kinds, warmUp, 1);
        if (warming.failed()) {
            System.out.println("warming up failed: " + warming.report(warmUp, 1));
            System.exit(1);
        }
        Result result = run(kinds, requests, clients);
        System.out.println(result.report(requests, clients));
        System.exit(result.failed() ? 1 : 0);
    }

    private static HttpRequest request(String url, String token, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder.build();
    }

    /** Every request's status (-1 for one that failed outright) and latency, and the run's length. */
    private record Result(int[] statuses, long[] nanos, long wallNanos, List<String> failures) {

        boolean failed() {
            return Arrays.stream(statuses).anyMatch(s -> s != 200 && s != 503);
        }

        String report(int requests, int clients) {
            Map<Integer, Integer> counts = new TreeMap<>();
            Arrays.stream(statuses).forEach(s -> counts.merge(s, 1, Integer::sum));
            long[] answered = new long[statuses.length];
            int n = 0;
            for (int i = 0; i < statuses.length; i++) {
                if (statuses[i] == 200) {
                    answered[n++] = nanos[i];
                }
            }
            long[] sorted = Arrays.copyOf(answered, n);
            Arrays.sort(sorted);
            StringBuilder text = new StringBuilder();
            text.append(String.format("%d requests from %d clients in %.2f s (%.0f requests/s); statuses %s%n",
                    requests, clients, wallNanos / 1e9, requests / (wallNanos / 1e9), counts));
            if (n > 0) {
                text.append(String.format("latency of the %d answered: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
                        n, percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
                        sorted[n - 1] / 1e6));
            }
            failures.stream().limit(5).forEach(f -> text.append('\n').append(f));
            return text.toString();
        }

        /** The nearest-rank percentile, in milliseconds. */
        private static double percentile(long[] sorted, double p) {
            int rank = (int) Math.ceil(p / 100 * sorted.length);
            return sorted[Math.max(0, rank - 1)] / 1e6;
        }
    }

    private static Result run(List<HttpRequest> kinds, int requests, int clients) throws Exception {
        int[] statuses = new int[requests];
        long[] nanos = new long[requests];
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                running.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < requests; ) {
                        long begin = System.nanoTime();
                        try {
                            HttpResponse<String> response = http.send(kinds.get(i % kinds.size()),
                                    HttpResponse.BodyHandlers.ofString());
                            statuses[i] = response.statusCode();
                            if (statuses[i] != 200 && statuses[i] != 503) {
                                failures.add("request " + i + ": " + statuses[i] + " " + response.body());
                            }
                        } catch (IOException e) {
                            statuses[i] = -1;
                            failures.add("request " + i + ": " + e);
                        }
                        nanos[i] = System.nanoTime() - begin;
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get();
            }
        }
        return new Result(statuses, nanos, System.nanoTime() - started, failures);
    }
}

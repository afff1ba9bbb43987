package dev.clipengine.server;

import com.sun.net.httpserver.HttpServer;
import dev.clipengine.api.ClipEngine;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server of JSON endpoints over a {@link ClipEngine}, on the JDK's own
 * {@code com.sun.net.httpserver}: {@code GET /health}, {@code POST /embed}, {@code POST /classify}
 * and, with an index, {@code POST /search} (docs/server.md). Each request runs on a virtual thread of its own; the work in progress is
 * bounded by the engine's encoders plus {@link ServerOptions#maxQueued()} waiting requests, and
 * a request beyond that is answered 503 at once.
 *
 * <p>The engine is the caller's: {@link #close()} stops the server, not the engine.
 */
public final class ClipServer implements AutoCloseable {

    private final HttpServer http;
    private final ExecutorService threads;
    private final Admission admission;
    private final ServerOptions options;
    private volatile boolean stopping;

    private ClipServer(HttpServer http, ExecutorService threads, Admission admission, ServerOptions options) {
        this.http = http;
        this.threads = threads;
        this.admission = admission;
        this.options = options;
    }

    /**
     * Listens at once, serving {@code engine}; errors the server answers 500 are written to
     * {@code log} with their stack trace.
     *
     * @throws IOException when the address cannot be bound (say, the port is taken)
     */
    public static ClipServer start(ClipEngine engine, ServerOptions options, PrintWriter log) throws IOException {
        return start(engine, options, log, null);
    }

    /**
     * As {@link #start(ClipEngine, ServerOptions, PrintWriter)}, with {@code POST /search} over
     * {@code index} when it is not null (the index stays the caller's to close).
     *
     * @throws IOException when the address cannot be bound
     */
    public static ClipServer start(ClipEngine engine, ServerOptions options, PrintWriter log, SearchIndex index)
            throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 0);
        Admission admission = new Admission(engine.info().concurrency() + options.maxQueued());
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        ClipServer server = new ClipServer(http, threads, admission, options);
        Endpoint.Shared shared = new Endpoint.Shared(options, admission, JsonRequest.parser(options.maxBodyBytes()),
                log, () -> server.stopping);
        http.createContext("/", new NotFound(shared));
        http.createContext("/health", new HealthEndpoint(shared, engine.info(), index));
        http.createContext("/embed", new EmbedEndpoint(shared, engine));
        http.createContext("/classify", new ClassifyEndpoint(shared, engine));
        if (index != null) {
            http.createContext("/search", new SearchEndpoint(shared, engine, index));
        }
        http.setExecutor(threads);
        http.start();
        return server;
    }

    /** The port listened on (the one taken, when port 0 was asked for). */
    public int port() {
        return http.getAddress().getPort();
    }

    public ServerOptions options() {
        return options;
    }

    /** The bound on work in progress, for tests that need to fill it. */
    Admission admission() {
        return admission;
    }

    /**
     * Stops taking connections and waits up to {@link ServerOptions#shutdownSeconds()} for the
     * requests in progress to be answered; those still running then are cut off.
     */
    @Override
    public void close() {
        stopping = true;
        http.stop(options.shutdownSeconds());
        threads.shutdownNow();
    }
}

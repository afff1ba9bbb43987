package dev.clipengine.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.clipengine.api.ClipInputException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CancellationException;

/**
 * What every endpoint does around its own work: the bearer token, the method, a place in the
 * bounded work ({@link Admission}), the body within its limit, and one JSON answer, an error
 * being {@code {"error": "one line"}} with its 4xx or 5xx status and never a stack trace.
 */
abstract class Endpoint implements HttpHandler {

    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Shared shared;
    private final String path;
    private final String method;

    /** What the endpoints of one server share. */
    record Shared(ServerOptions options, Admission admission, ObjectMapper parser, PrintWriter log,
                  java.util.function.BooleanSupplier stopping) {
    }

    Endpoint(Shared shared, String path, String method) {
        this.shared = shared;
        this.path = path;
        this.method = method;
    }

    /**
     * The answer to a request that passed every check; {@code body} is empty for a GET, which
     * takes no place in the bounded work.
     */
    abstract ObjectNode answer(byte[] body);

    ServerOptions options() {
        return shared.options();
    }

    ObjectMapper parser() {
        return shared.parser();
    }

    @Override
    public final void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status;
            ObjectNode response;
            try {
                requireToken(exchange);
                if (!exchange.getRequestURI().getPath().equals(path)) {
                    throw new HttpError(404, "no endpoint " + exchange.getRequestURI().getPath() + "; the endpoints "
                            + "are /health, /embed, /classify, and /search when the server has an index");
                }
                if (!exchange.getRequestMethod().equals(method)) {
                    exchange.getResponseHeaders().set("Allow", method);
                    throw new HttpError(405, path + " takes " + method + ", not " + exchange.getRequestMethod());
                }
                response = admitted(exchange);
                status = 200;
            } catch (HttpError e) {
                status = e.status;
                response = error(e.getMessage());
            } catch (ClipInputException e) {
                status = 422;
                response = error(e.getMessage());
            } catch (IOException e) {
                // the client closed the connection mid-body: nobody is left to answer
                return;
            } catch (RuntimeException e) {
                if (shared.stopping().getAsBoolean()
                        && (e instanceof CancellationException || e instanceof IllegalStateException)) {
                    // the engine closed, or its wait for an encoder was cut short, by the stop
                    status = 503;
                    response = error("the server is stopping");
                    send(exchange, status, response);
                    return;
                }
                shared.log().println("clip-engine serve: internal error answering " + exchange.getRequestMethod() + " "
                        + path + ": " + e);
                e.printStackTrace(shared.log());
                status = 500;
                response = error("internal error; the server's log has the details");
            }
            send(exchange, status, response);
        }
    }

    private ObjectNode admitted(HttpExchange exchange) throws IOException {
        if (method.equals("GET")) {
            // nothing to encode: a health check is answered even when every place is taken
            return answer(new byte[0]);
        }
        if (!shared.admission().tryEnter()) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            throw new HttpError(503, "the server is busy: every encoder and queue place is taken; retry shortly");
        }
        try {
            return answer(RequestBody.read(exchange, shared.options().maxBodyBytes()));
        } finally {
            shared.admission().leave();
        }
    }

    private void requireToken(HttpExchange exchange) {
        String token = shared.options().token();
        if (token == null) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new HttpError(401, "this server needs the header Authorization: Bearer <token>");
        }
        // compared in constant time, so the answer's timing tells nothing of the token
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            throw new HttpError(401, "wrong bearer token");
        }
    }

    static ObjectNode error(String message) {
        return JSON.objectNode().put("error", message);
    }

    private void send(HttpExchange exchange, int status, ObjectNode response) throws IOException {
        byte[] bytes = parser().writeValueAsBytes(response);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

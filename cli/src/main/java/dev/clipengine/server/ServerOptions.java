package dev.clipengine.server;

/**
 * How the server listens and what it accepts.
 *
 * @param host            address to listen on; loopback unless the server is meant to be reached from
 *                        other machines
 * @param port            port to listen on; 0 takes a free one ({@link ClipServer#port()} tells which)
 * @param token           the bearer token every request must carry, or null for none
 * @param maxBodyBytes    largest request body read; a larger one is answered 413
 * @param maxImagePixels  largest image (width x height, from its header) decoded; a larger one is
 *                        answered 422 before it is decoded
 * @param maxItems        most images plus texts (or labels) in one request
 * @param maxQueued       requests admitted beyond those being encoded, waiting for an encoder; one
 *                        more is answered 503 at once
 * @param shutdownSeconds how long a stop waits for requests in progress
 */
public record ServerOptions(String host, int port, String token, long maxBodyBytes, long maxImagePixels,
                            int maxItems, int maxQueued, int shutdownSeconds) {

    public ServerOptions {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("a host to listen on is needed");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the token is blank");
        }
        if (maxBodyBytes < 1 || maxImagePixels < 1 || maxItems < 1 || maxQueued < 0 || shutdownSeconds < 0) {
            throw new IllegalArgumentException("limits must be positive (the queue and the shutdown wait may be 0)");
        }
    }
}

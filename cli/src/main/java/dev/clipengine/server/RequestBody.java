package dev.clipengine.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request's body, refusing one beyond the limit (413) without holding more than the limit
 * in memory. The rest of a refused body is read and dropped, up to {@link #DISCARDED_AT_MOST}:
 * a server that closes a connection while the client is still sending makes the client's system
 * reset it, and the client then never sees the 413. Beyond that much the connection is closed.
 */
final class RequestBody {

    /** Bytes of a refused body read and dropped so that its client gets the answer. */
    static final long DISCARDED_AT_MOST = 64L << 20;

    private RequestBody() {
    }

    static byte[] read(HttpExchange exchange, long limit) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        InputStream in = exchange.getRequestBody();
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("Content-Length is not a number: " + declared);
            }
            if (length > limit) {
                throw tooLarge(exchange, in, limit);
            }
        }
        // a chunked body has no length to check beforehand: it is read up to the limit
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) != -1; ) {
            if (body.size() + (long) n > limit) {
                throw tooLarge(exchange, in, limit);
            }
            body.write(buffer, 0, n);
        }
        return body.toByteArray();
    }

    private static HttpError tooLarge(HttpExchange exchange, InputStream in, long limit) throws IOException {
        // the connection is not kept for another request whatever the client sends next
        exchange.getResponseHeaders().set("Connection", "close");
        long skipped = 0;
        byte[] sink = new byte[64 * 1024];
        for (int n; skipped < DISCARDED_AT_MOST && (n = in.read(sink)) != -1; ) {
            skipped += n;
        }
        return new HttpError(413, "the request body is larger than the server's limit of " + limit + " bytes");
    }
}

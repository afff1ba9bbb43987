package dev.clipengine.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request's body, refusing one beyond the limit before it is held in memory. */
final class RequestBody {

    private RequestBody() {
    }

    static byte[] read(HttpExchange exchange, long limit) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("Content-Length is not a number: " + declared);
            }
            if (length > limit) {
                throw tooLarge(limit);
            }
        }
        // a chunked body has no length to check beforehand: it is read up to the limit
        InputStream in = exchange.getRequestBody();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) != -1; ) {
            if (body.size() + (long) n > limit) {
                throw tooLarge(limit);
            }
            body.write(buffer, 0, n);
        }
        return body.toByteArray();
    }

    private static HttpError tooLarge(long limit) {
        return new HttpError(413, "the request body is larger than the server's limit of " + limit + " bytes");
    }
}

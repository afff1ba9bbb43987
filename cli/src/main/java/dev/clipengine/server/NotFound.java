package dev.clipengine.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The handler of every path no endpoint has: its own path is empty, which no request's path is,
 * so each request it gets (after the token check) is answered 404.
 */
final class NotFound extends Endpoint {

    NotFound(Shared shared) {
        super(shared, "", "GET");
    }

    @Override
    ObjectNode answer(byte[] body) {
        throw new IllegalStateException("a request reached the answer of the not-found handler");
    }
}

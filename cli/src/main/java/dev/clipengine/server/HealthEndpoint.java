package dev.clipengine.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.api.ModelInfo;

import java.nio.file.Path;

/** {@code GET /health}: the server is up, which model it serves, and its index if it has one. */
final class HealthEndpoint extends Endpoint {

    private final ModelInfo model;
    private final SearchIndex index;

    /** {@code index} is null when the server has none. */
    HealthEndpoint(Shared shared, ModelInfo model, SearchIndex index) {
        super(shared, "/health", "GET");
        this.model = model;
        this.index = index;
    }

    @Override
    ObjectNode answer(byte[] body) {
        ObjectNode answer = JSON.objectNode().put("status", "ok");
        // the file's name, not its path: the path says nothing a client needs about this machine
        Path source = Path.of(model.source()).getFileName();
        answer.putObject("model").put("name", source == null ? model.source() : source.toString())
                .put("family", model.family()).put("dimension", model.dimension())
                .put("image_size", model.imageSize()).put("backend", model.backend())
                .put("encoders", model.concurrency());
        if (index != null) {
            answer.putObject("index").put("images", index.size()).put("method", index.method());
        }
        return answer;
    }
}

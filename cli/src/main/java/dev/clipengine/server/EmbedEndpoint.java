package dev.clipengine.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.api.ClipEngine;

import java.util.List;
import java.util.Set;

/**
 * {@code POST /embed}: {@code {"texts": [...], "images": [base64...]}} to
 * {@code {"dimension": d, "texts": [[...]], "images": [[...]]}}, unit vectors in request order.
 */
final class EmbedEndpoint extends Endpoint {

    private static final Set<String> FIELDS = Set.of("texts", "images");

    private final ClipEngine engine;

    EmbedEndpoint(Shared shared, ClipEngine engine) {
        super(shared, "/embed", "POST");
        this.engine = engine;
    }

    @Override
    ObjectNode answer(byte[] body) {
        JsonRequest request = JsonRequest.parse(parser(), body, FIELDS);
        List<String> texts = request.strings("texts");
        List<byte[]> images = request.images("images");
        if (texts.isEmpty() && images.isEmpty()) {
            throw HttpError.badRequest("nothing to embed: give \"texts\" or \"images\"");
        }
        if (texts.size() + images.size() > options().maxItems()) {
            throw HttpError.badRequest(texts.size() + images.size() + " texts and images; the server takes at most "
                    + options().maxItems() + " a request");
        }
        ImageLimits.check("images", images, options().maxImagePixels());
        ObjectNode answer = JSON.objectNode().put("dimension", engine.dimension());
        if (!texts.isEmpty()) {
            answer.set("texts", rows(engine.embedTexts(texts)));
        }
        if (!images.isEmpty()) {
            answer.set("images", rows(engine.embedImageBytes(images)));
        }
        return answer;
    }

    static ArrayNode rows(float[][] vectors) {
        ArrayNode rows = JSON.arrayNode(vectors.length);
        for (float[] vector : vectors) {
            ArrayNode row = rows.addArray();
            for (float v : vector) {
                row.add(v);
            }
        }
        return rows;
    }
}

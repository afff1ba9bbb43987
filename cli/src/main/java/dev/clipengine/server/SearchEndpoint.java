package dev.clipengine.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.api.ClipEngine;
import dev.clipengine.search.Hit;
import dev.clipengine.search.ImageSearch;

import java.util.List;
import java.util.Set;

/**
 * {@code POST /search}: {@code {"text": "..."}} or {@code {"image": base64}}, with {@code "k"}, to
 * the k images of the server's index nearest to the query,
 * {@code {"images": n, "method": "exact", "results": [{"rank", "path", "score"}...]}}.
 */
final class SearchEndpoint extends Endpoint {

    /** Most results one request may ask for. */
    static final int MAX_K = 1000;
    private static final Set<String> FIELDS = Set.of("text", "image", "k");

    private final ClipEngine engine;
    private final SearchIndex index;

    SearchEndpoint(Shared shared, ClipEngine engine, SearchIndex index) {
        super(shared, "/search", "POST");
        this.engine = engine;
        this.index = index;
    }

    @Override
    ObjectNode answer(byte[] body) {
        JsonRequest request = JsonRequest.parse(parser(), body, FIELDS);
        String text = request.string("text");
        byte[] image = request.image("image");
        if ((text == null) == (image == null)) {
            throw HttpError.badRequest("give either \"text\" or \"image\" to search for");
        }
        if (text != null && text.isBlank()) {
            throw HttpError.badRequest("\"text\" is blank");
        }
        int k = request.integer("k", 10, 1, MAX_K);
        float[] query;
        if (text != null) {
            query = engine.embedText(text);
        } else {
            ImageLimits.check("image", List.of(image), options().maxImagePixels());
            query = engine.embedImage(image);
        }
        List<Hit> hits = index.search(query, k);
        ArrayNode results = JSON.arrayNode(hits.size());
        for (int i = 0; i < hits.size(); i++) {
            results.addObject().put("rank", i + 1).put("path", hits.get(i).path()).put("score", hits.get(i).score());
        }
        ObjectNode answer = JSON.objectNode().put("images", index.size()).put("method", index.method());
        answer.set("results", results);
        return answer;
    }
}

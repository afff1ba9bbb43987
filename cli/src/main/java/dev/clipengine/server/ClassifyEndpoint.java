package dev.clipengine.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.api.ClipEngine;
import dev.clipengine.api.LabelScore;
import dev.clipengine.api.ZeroShotClassifier;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /classify}: {@code {"images": [base64...], "labels": [...], "templates": [...],
 * "top": k}} to {@code {"results": [[{"label", "probability", "cosine"}...]...]}}, one list per
 * image, most probable first. Encoding the labels costs far more than an image, so the last
 * few label sets' classifiers are kept and reused.
 */
final class ClassifyEndpoint extends Endpoint {

    /** Most prompts (labels x templates) one request may have encoded. */
    static final int MAX_PROMPTS = 4096;
    private static final int CACHED_LABEL_SETS = 16;
    private static final Set<String> FIELDS = Set.of("images", "labels", "templates", "top");

    private final ClipEngine engine;
    private final Map<List<List<String>>, ZeroShotClassifier> recent =
            new LinkedHashMap<>(CACHED_LABEL_SETS, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<List<List<String>>, ZeroShotClassifier> eldest) {
                    return size() > CACHED_LABEL_SETS;
                }
            };

    ClassifyEndpoint(Shared shared, ClipEngine engine) {
        super(shared, "/classify", "POST");
        this.engine = engine;
    }

    @Override
    ObjectNode answer(byte[] body) {
        JsonRequest request = JsonRequest.parse(parser(), body, FIELDS);
        List<byte[]> images = request.images("images");
        List<String> labels = request.strings("labels");
        List<String> templates = request.has("templates") ? request.strings("templates")
                : List.of(ClipEngine.DEFAULT_TEMPLATE);
        if (images.isEmpty() || labels.isEmpty()) {
            throw HttpError.badRequest("give \"images\" and \"labels\", each a non-empty array");
        }
        if (images.size() > options().maxItems()) {
            throw HttpError.badRequest(images.size() + " images; the server takes at most " + options().maxItems()
                    + " a request");
        }
        if (templates.isEmpty() || (long) labels.size() * templates.size() > MAX_PROMPTS) {
            throw HttpError.badRequest("labels x templates must be 1 to " + MAX_PROMPTS + ", got " + labels.size()
                    + " x " + templates.size());
        }
        for (int i = 0; i < templates.size(); i++) {
            if (!templates.get(i).contains("{}")) {
                throw HttpError.badRequest("templates[" + i + "] has no {} where the label goes");
            }
        }
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).isBlank()) {
                throw HttpError.badRequest("labels[" + i + "] is blank");
            }
        }
        int top = request.integer("top", labels.size(), 1, labels.size());
        ImageLimits.check("images", images, options().maxImagePixels());
        ZeroShotClassifier classifier = classifier(labels, templates);
        ArrayNode results = JSON.arrayNode(images.size());
        for (float[] image : engine.embedImageBytes(images)) {
            ArrayNode scores = results.addArray();
            for (LabelScore score : classifier.classify(image).subList(0, top)) {
                scores.addObject().put("label", score.label()).put("probability", score.probability())
                        .put("cosine", score.cosine());
            }
        }
        return JSON.objectNode().set("results", results);
    }

    private ZeroShotClassifier classifier(List<String> labels, List<String> templates) {
        List<List<String>> key = List.of(labels, templates);
        synchronized (recent) {
            ZeroShotClassifier known = recent.get(key);
            if (known != null) {
                return known;
            }
        }
        // encoded outside the lock: two requests for a new label set may both encode it, which
        // costs time once but never blocks requests for other sets
        ZeroShotClassifier made = engine.classifier(labels, templates);
        synchronized (recent) {
            recent.put(key, made);
        }
        return made;
    }
}

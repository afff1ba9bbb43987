package dev.clipengine.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A request's JSON object, read strictly: a field of the wrong type, or one the endpoint does not
 * know (a misspelt name would otherwise be ignored in silence), is a 400 naming it.
 */
final class JsonRequest {

    private final ObjectNode object;

    private JsonRequest(ObjectNode object) {
        this.object = object;
    }

    /** A parser whose limits follow the body's: no string longer than a body, no deep nesting. */
    static ObjectMapper parser(long maxBodyBytes) {
        return JsonMapper.builder(JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBodyBytes))
                                .maxNestingDepth(16).build())
                        .build())
                .build();
    }

    /** The body as an object with only the fields given. */
    static JsonRequest parse(ObjectMapper parser, byte[] body, Set<String> fields) {
        JsonNode root;
        try {
            root = parser.readTree(body);
        } catch (JsonProcessingException e) {
            // the parser's own message, without its note of where an unclosed array began
            String what = e.getOriginalMessage().replace('\n', ' ').replaceAll(" \\(start marker at .*$", "");
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw HttpError.badRequest("malformed JSON" + where + ": " + what);
        } catch (IOException e) {
            throw HttpError.badRequest("malformed JSON: " + e.getMessage());
        }
        if (!(root instanceof ObjectNode object)) {
            throw HttpError.badRequest("the body must be a JSON object, got " + (root == null || root.isMissingNode()
                    ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw HttpError.badRequest("unknown field \"" + name + "\"; this endpoint takes " + fields);
            }
        }
        return new JsonRequest(object);
    }

    boolean has(String field) {
        return object.hasNonNull(field);
    }

    /** An array of strings; empty when the field is absent. */
    List<String> strings(String field) {
        JsonNode node = object.get(field);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            throw HttpError.badRequest("\"" + field + "\" must be an array of strings");
        }
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw HttpError.badRequest(field + "[" + i + "] must be a string");
            }
            values.add(node.get(i).textValue());
        }
        return values;
    }

    /** An array of base64 strings (standard alphabet, as PNG or JPEG files' bytes), decoded. */
    List<byte[]> images(String field) {
        List<String> encoded = strings(field);
        List<byte[]> images = new ArrayList<>(encoded.size());
        for (int i = 0; i < encoded.size(); i++) {
            images.add(base64(field + "[" + i + "]", encoded.get(i)));
        }
        return images;
    }

    /** One base64 string decoded, or null when the field is absent. */
    byte[] image(String field) {
        String encoded = string(field);
        return encoded == null ? null : base64("\"" + field + "\"", encoded);
    }

    private static byte[] base64(String where, String encoded) {
        try {
            return Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(where + " is not base64: " + e.getMessage());
        }
    }

    /** A string, or null when the field is absent. */
    String string(String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw HttpError.badRequest("\"" + field + "\" must be a string");
        }
        return node.textValue();
    }

    /** An integer in [min, max], or the default when the field is absent. */
    int integer(String field, int absent, int min, int max) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return absent;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw HttpError.badRequest("\"" + field + "\" must be an integer from " + min + " to " + max);
        }
        return node.intValue();
    }
}

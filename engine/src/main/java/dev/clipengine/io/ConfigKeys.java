package dev.clipengine.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipengine.BadInputException;

/**
 * Typed reads from one JSON object of another program's config, each key with the default that
 * program gives it when it is missing. A key present with the wrong type is an error naming the
 * file and the key's full path ({@code vision_config.hidden_size}), never a silent default.
 */
final class ConfigKeys {

    private final JsonNode node;
    private final String source;
    private final String path;

    ConfigKeys(JsonNode node, String source, String path) {
        this.node = node;
        this.source = source;
        this.path = path;
    }

    JsonNode node() {
        return node;
    }

    boolean has(String key) {
        JsonNode value = node.get(key);
        return value != null && !value.isNull();
    }

    JsonNode raw(String key) {
        return node.get(key);
    }

    /** The object under {@code key}, or an empty one when it is missing or null. */
    ConfigKeys object(String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return new ConfigKeys(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), source,
                    name(key));
        }
        if (!value.isObject()) {
            throw wrongType(key, "a JSON object", value);
        }
        return new ConfigKeys(value, source, name(key));
    }

    int integer(String key, int fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode value = node.get(key);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw wrongType(key, "an integer", value);
        }
        return value.intValue();
    }

    double number(String key, double fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode value = node.get(key);
        if (!value.isNumber()) {
            throw wrongType(key, "a number", value);
        }
        return value.doubleValue();
    }

    String string(String key, String fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode value = node.get(key);
        if (!value.isTextual()) {
            throw wrongType(key, "a string", value);
        }
        return value.textValue();
    }

    boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode value = node.get(key);
        if (!value.isBoolean()) {
            throw wrongType(key, "true or false", value);
        }
        return value.booleanValue();
    }

    /** Three numbers (a per-channel mean or std), or null when missing. */
    float[] channels(String key) {
        if (!has(key)) {
            return null;
        }
        JsonNode value = node.get(key);
        if (!value.isArray() || value.size() != 3) {
            throw wrongType(key, "an array of 3 numbers", value);
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!value.get(i).isNumber()) {
                throw wrongType(key, "an array of 3 numbers", value);
            }
            out[i] = value.get(i).floatValue();
        }
        return out;
    }

    java.util.Iterator<String> keys() {
        return node.fieldNames();
    }

    String name(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    BadInputException problem(String message) {
        return new BadInputException(source + ": " + message);
    }

    private BadInputException wrongType(String key, String expected, JsonNode value) {
        return problem("'" + name(key) + "' must be " + expected + ", got " + SafeTensors.oneLine(value.toString()));
    }
}

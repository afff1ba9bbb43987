package dev.clipengine.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which model made an index's embeddings: where it was read from (so {@code search} can find it
 * again) and a SHA-256 of what it computes with, its config and every tensor's name, shape and
 * values. The hash is of the model, not of its file: the same weights saved in another layout hash
 * the same, and a model fine-tuned by one step does not.
 *
 * @param source the checkpoint's path, absolute
 * @param sha256 64 hex digits
 */
public record ModelIdentity(String source, String sha256) {

    private static final int CHUNK_FLOATS = 1 << 16;

    /** The identity of a model read from {@code checkpoint}. */
    public static ModelIdentity of(ClipModel model, Path checkpoint) {
        MessageDigest digest = newDigest();
        try {
            // sorted keys: the hash must not depend on the order a config file listed them in
            digest.update(new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsBytes(model.config().toMap()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a config is a map of plain values", e);
        }
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor tensor : model.tensors()) {
            digest.update(tensor.name().getBytes(StandardCharsets.UTF_8));
            chunk.clear();
            chunk.putInt(tensor.rank());
            for (int d : tensor.shape()) {
                chunk.putInt(d);
            }
            digest.update(chunk.flip());
            float[] data = tensor.data();
            for (int from = 0; from < data.length; from += CHUNK_FLOATS) {
                int count = Math.min(CHUNK_FLOATS, data.length - from);
                chunk.clear();
                chunk.asFloatBuffer().put(data, from, count);
                digest.update(chunk.limit(count * Float.BYTES));
            }
        }
        return new ModelIdentity(checkpoint.toAbsolutePath().normalize().toString(),
                HexFormat.of().formatHex(digest.digest()));
    }

    /** Refuses, in one line, to use an index with a model other than the one that made it. */
    public void requireSameAs(ModelIdentity other, Path index) {
        if (!sha256.equals(other.sha256)) {
            throw new BadInputException(index + " was indexed with another model (" + source + ", sha256 "
                    + sha256.substring(0, 12) + "...), not " + other.source + " (sha256 " + other.sha256.substring(0, 12)
                    + "...): use that model, or index the folders again into a new file");
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}

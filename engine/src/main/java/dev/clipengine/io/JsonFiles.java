package dev.clipengine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The small JSON files that sit beside other programs' checkpoints ({@code config.json},
 * {@code open_clip_config.json}, {@code preprocessor_config.json}, a shard index): read whole, but
 * only up to a size no such file reaches, and every problem one line naming the file.
 */
public final class JsonFiles {

    /** Configs are kilobytes; a shard index of a large model a few hundred. */
    static final long MAX_BYTES = 8L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {
    }

    /** The file's JSON object. */
    public static JsonNode readObject(Path file) {
        if (RegularFiles.isSpecial(file)) {
            throw new BadInputException(file + ": " + RegularFiles.NOT_REGULAR);
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new BadInputException(file + ": " + size + " bytes, more than the " + MAX_BYTES
                        + " any such JSON file takes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot be read (" + SafeTensors.oneLine(e.getMessage()) + ")");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(file + ": not UTF-8 text");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not valid JSON (" + SafeTensors.oneLine(e.getOriginalMessage()) + ")");
        }
        if (node == null || !node.isObject()) {
            throw new BadInputException(file + ": not a JSON object");
        }
        return node;
    }
}

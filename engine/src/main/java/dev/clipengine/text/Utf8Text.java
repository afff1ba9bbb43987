package dev.clipengine.text;

import dev.clipengine.BadInputException;
import dev.clipengine.io.RegularFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the vocabulary's text files within a bound, as strict UTF-8. */
final class Utf8Text {

    private Utf8Text() {
    }

    /** The file's bytes; refuses a missing, empty, special or larger file before reading more than the bound. */
    static byte[] readBounded(Path file, long maxBytes) {
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + ": a folder, not a file");
        }
        if (RegularFiles.isSpecial(file)) {
            throw new BadInputException(file + ": " + RegularFiles.NOT_REGULAR);
        }
        try (InputStream in = Files.newInputStream(file)) {
            if (Files.size(file) > maxBytes) {
                throw tooLarge(file, maxBytes);
            }
            // the size on disk may change while it is read: the bound is kept on the bytes themselves
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw tooLarge(file, maxBytes);
            }
            if (bytes.length == 0) {
                throw new BadInputException(file + ": empty");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new BadInputException(file + ": cannot be read: permission denied");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static BadInputException tooLarge(Path file, long maxBytes) {
        return new BadInputException(file + ": larger than the " + maxBytes + " bytes a vocabulary file may have");
    }

    static String decode(byte[] bytes, String name) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(name + ": not UTF-8 text");
        }
    }

    /** The stream's first {@code lines} lines (fewer at its end), at most {@code maxBytes} bytes of them. */
    static String decodeLines(InputStream in, long maxBytes, int lines, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        byte[] buffer = new byte[1 << 16];
        int newlines = 0;
        while (newlines < lines) {
            int read = in.read(buffer);
            if (read < 0) {
                break;
            }
            int keep = read;
            for (int i = 0; i < read && newlines < lines; i++) {
                if (buffer[i] == '\n' && ++newlines == lines) {
                    keep = i;
                }
            }
            out.write(buffer, 0, keep);
            if (out.size() > maxBytes) {
                throw new BadInputException(name + ": more than " + maxBytes + " bytes");
            }
        }
        return decode(out.toByteArray(), name);
    }
}

package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.io.RegularFiles;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens a file that may or may not be gzip-compressed, deciding by its first two bytes (the gzip
 * magic {@code 1f 8b}) rather than its name: data sets are often unpacked by a browser or by hand
 * and keep a {@code .gz} they no longer deserve, or lose one they still need.
 *
 * @param input      the file's content, decompressed where it was compressed, buffered
 * @param compressed whether the file was gzip
 * @param fileSize   the file's size on disk
 */
record MaybeGzipped(InputStream input, boolean compressed, long fileSize) implements AutoCloseable {

    /**
     * Deflate cannot expand data by more than about 1032 to 1 (a run of one byte, at its best), so a
     * gzip file of n bytes holds at most this many times n; a header claiming more is lying, and
     * is refused before anything is allocated for it.
     */
    static final long MAX_GZIP_RATIO = 1100;

    private static final int BUFFER = 1 << 16;

    static MaybeGzipped open(Path file) {
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + ": a folder, not a file");
        }
        if (RegularFiles.isSpecial(file)) {
            throw new BadInputException(file + ": " + RegularFiles.NOT_REGULAR);
        }
        InputStream raw = null;
        try {
            long size = Files.size(file);
            raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
            raw.mark(2);
            int first = raw.read();
            int second = raw.read();
            raw.reset();
            boolean gzip = first == 0x1f && second == 0x8b;
            InputStream input = gzip ? new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER) : raw;
            return new MaybeGzipped(input, gzip, size);
        } catch (NoSuchFileException e) {
            closeQuietly(raw);
            throw new BadInputException(file + ": no such file");
        } catch (IOException e) {
            closeQuietly(raw);
            // GZIPInputStream reads the gzip header at once: a damaged one lands here
            throw new BadInputException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** The most bytes the content can hold: the file size, or its bound when compressed. */
    long maxContentBytes() {
        return compressed ? fileSize * MAX_GZIP_RATIO : fileSize;
    }

    @Override
    public void close() {
        closeQuietly(input);
    }

    private static void closeQuietly(InputStream stream) {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // only read from: nothing was lost
            }
        }
    }
}

package dev.clipengine.fuzz;

import dev.clipengine.AllocatedBytes;
import dev.clipengine.BadInputException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * What every fuzzed read must do besides returning: refuse with a {@link BadInputException} of one
 * line (any other exception, or an error such as running out of memory, escapes as a finding), and,
 * for the readers that run on the calling thread, allocate in proportion to the content that
 * arrived, never to what a header claims.
 */
final class FuzzChecks {

    /**
     * Bytes a reader may allocate for each byte of content: lines, strings, boxed rows and arrays
     * that double as they grow take many times what they hold. A header's claim is bounded only by
     * gzip's 1100 to 1, so allocating for one goes far beyond.
     */
    static final long BYTES_PER_CONTENT_BYTE = 64;
    /**
     * The largest input the fuzzer makes (Jazzer's own default is 1000 bytes): a gzip input of
     * this size may claim 70 MB, enough for an allocation of the claim to show.
     */
    static final int MAX_INPUT_BYTES = 1 << 16;
    /** Buffers, a decompressor, first capacities: what reading any file may take. */
    static final long FIXED_BYTES = 4L << 20;

    private FuzzChecks() {
    }

    /** Runs {@code reader}, which may only return or refuse in one line; measures nothing. */
    static void readsOrRefuses(Runnable reader) {
        try {
            reader.run();
        } catch (BadInputException e) {
            requireOneLine(e);
        }
    }

    /**
     * Runs {@code reader} as {@link #readsOrRefuses} does and also fails when it allocated more
     * than {@code contentBytes} justify. A read over the limit is measured again before it counts:
     * the first time a path runs, loading its classes allocates too (and the fuzzer's agent
     * instruments each on the heap), which a second run of the same input does not.
     */
    static void readsOrRefusesWithin(long contentBytes, String what, Runnable reader) {
        long limit = FIXED_BYTES + BYTES_PER_CONTENT_BYTE * contentBytes;
        long allocated = measured(reader);
        if (allocated > limit) {
            allocated = measured(reader);
        }
        if (allocated > limit) {
            throw new AssertionError(what + " allocated " + allocated + " bytes for " + contentBytes
                    + " bytes of content, more than the " + limit + " allowed");
        }
    }

    private static long measured(Runnable reader) {
        AllocatedBytes.Measured read = AllocatedBytes.of(reader);
        if (read.thrown() instanceof BadInputException e) {
            requireOneLine(e);
        } else if (read.thrown() != null) {
            throw read.thrown();
        }
        return read.bytes();
    }

    /**
     * A gzip input followed by 64 KB of spaces, which gzip readers ignore, or null for other input:
     * a file this large can claim 70 MB, so a small input's mutated header passes the check against
     * the file's size, and what the reader then allocates is tested, not the check.
     */
    static byte[] paddedGzip(byte[] input) {
        if (!isGzip(input)) {
            return null;
        }
        byte[] padded = Arrays.copyOf(input, input.length + MAX_INPUT_BYTES);
        Arrays.fill(padded, input.length, padded.length, (byte) ' ');
        return padded;
    }

    /** The bytes a reader sees: the decompressed content of gzip input (counted, not kept), else the input. */
    static long contentBytes(byte[] input) {
        if (!isGzip(input)) {
            return input.length;
        }
        long count = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(input))) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                count += n;
            }
        } catch (IOException e) {
            // damaged or cut short: what came out before is what a reader saw
        }
        return Math.max(count, input.length);
    }

    private static boolean isGzip(byte[] input) {
        return input.length >= 2 && (input[0] & 0xFF) == 0x1f && (input[1] & 0xFF) == 0x8b;
    }

    private static void requireOneLine(BadInputException e) {
        if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n")) {
            throw new AssertionError("a refusal must be one line: [" + e.getMessage() + "]", e);
        }
    }
}

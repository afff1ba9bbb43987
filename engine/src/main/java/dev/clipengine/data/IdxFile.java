package dev.clipengine.data;

import dev.clipengine.BadInputException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of the MNIST family (Yann LeCun's format, also Fashion-MNIST's), raw or
 * gzip-compressed: a 4-byte big-endian magic number {@code 00 00 type dims}, one big-endian 32-bit
 * size per dimension, then the data in row-major order. Only what these data sets use is read:
 * unsigned bytes, images in 3 dimensions ({@code 0x00000803}: count, rows, columns) and labels in 1
 * ({@code 0x00000801}).
 *
 * <p>Nothing is allocated for what the header claims, only for what arrives: arrays grow as the
 * data comes in (doubling, up to the claim), so a header claiming 4 million labels or a 16 MB
 * image over a few kilobytes of data costs a few kilobytes before the truncation is reported. The
 * count is refused beyond {@link #MAX_COUNT}, which bounds what even a complete file (a small gzip
 * file can hold a large one) can make the reader hold, and the claim beyond what the file's size
 * can hold. Every problem is one {@link BadInputException} naming the file.
 */
public final class IdxFile {

    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;
    /** Unsigned bytes, the only element type these data sets use. */
    private static final int UNSIGNED_BYTE = 0x08;
    /** Far beyond any data set of this family; bigger sides are damage, not data. */
    public static final int MAX_SIDE = 4096;
    /**
     * Far beyond any data set of this family (EMNIST's largest file holds 697,932 images); a larger
     * count is damage, not data. It bounds what a file can make the reader hold even when its data
     * is all there: 4 million 1x1 images take about 120 MB of arrays.
     */
    public static final int MAX_COUNT = 1 << 22;
    /** What an array starts at before the data shows how much there really is. */
    private static final int FIRST_CAPACITY = 1 << 13;

    /**
     * Images of one IDX file, each its own {@code rows x columns} array of grey bytes in row-major
     * order, so a caller can keep, convert or drop them one at a time.
     */
    public record Images(int rows, int columns, byte[][] pixels) {

        public int count() {
            return pixels.length;
        }
    }

    private IdxFile() {
    }

    /** The images of an {@code idx3-ubyte} file. */
    public static Images readImages(Path file) {
        try (MaybeGzipped in = MaybeGzipped.open(file)) {
            int[] dims = header(file, in, IMAGES_MAGIC, "image");
            long count = dims[0] & 0xFFFFFFFFL;
            int rows = dims[1];
            int columns = dims[2];
            if (rows < 1 || columns < 1 || rows > MAX_SIDE || columns > MAX_SIDE) {
                throw problem(file, "the header gives images of " + Integer.toUnsignedString(rows) + "x"
                        + Integer.toUnsignedString(columns) + " pixels; expected 1 to " + MAX_SIDE + " a side");
            }
            int imageBytes = rows * columns;
            checkClaim(file, in, 16, count, imageBytes, count + " images of " + rows + "x" + columns, "images");
            byte[][] pixels = new byte[(int) Math.min(count, FIRST_CAPACITY)][];
            for (int i = 0; i < count; i++) {
                byte[] image = readUpTo(file, in.input(), imageBytes);
                if (image.length < imageBytes) {
                    throw problem(file, "truncated: the header claims " + count + " images of " + rows + "x"
                            + columns + " but the data ends in image " + (i + 1) + " ("
                            + dataBytes(i, imageBytes, image.length) + " bytes of the " + count * imageBytes
                            + " expected)");
                }
                if (i == pixels.length) {
                    pixels = Arrays.copyOf(pixels, (int) Math.min(count, 2L * pixels.length));
                }
                pixels[i] = image;
            }
            requireEnd(file, in, count + " images");
            return new Images(rows, columns, pixels);
        }
    }

    /**
     * The labels of an {@code idx1-ubyte} file, each checked to be a class index below
     * {@code classCount}.
     */
    public static int[] readLabels(Path file, int classCount) {
        try (MaybeGzipped in = MaybeGzipped.open(file)) {
            int[] dims = header(file, in, LABELS_MAGIC, "label");
            long count = dims[0] & 0xFFFFFFFFL;
            checkClaim(file, in, 8, count, 1, count + " labels", "labels");
            byte[] bytes = readUpTo(file, in.input(), (int) count);
            if (bytes.length < count) {
                throw problem(file, "truncated: the header claims " + count + " labels but the data ends after "
                        + bytes.length);
            }
            requireEnd(file, in, count + " labels");
            int[] labels = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                labels[i] = bytes[i] & 0xFF;
                if (labels[i] >= classCount) {
                    throw problem(file, "label " + labels[i] + " at index " + i + " (counting from 0) is not one of the "
                            + classCount + " classes 0 to " + (classCount - 1));
                }
            }
            return labels;
        }
    }

    /** The magic number checked, then the sizes of its dimensions (raw, to be read unsigned). */
    private static int[] header(Path file, MaybeGzipped in, int magic, String kind) {
        int dimensions = magic & 0xFF;
        int headerBytes = 4 + 4 * dimensions;
        byte[] header = new byte[headerBytes];
        int got = readFully(file, in.input(), header);
        if (got < 4) {
            throw problem(file, "truncated: an IDX file starts with a 4-byte magic number, the "
                    + content(in) + " has only " + got + " bytes");
        }
        int found = intAt(header, 0);
        if (found != magic) {
            throw problem(file, "not an IDX " + kind + " file: magic number " + hex(found) + describe(found)
                    + ", expected " + hex(magic) + " (unsigned bytes in " + dimensions + " dimension"
                    + (dimensions == 1 ? "" : "s") + ")");
        }
        if (got < headerBytes) {
            throw problem(file, "truncated: the IDX " + kind + " header needs " + headerBytes + " bytes, the "
                    + content(in) + " has only " + got);
        }
        int[] dims = new int[dimensions];
        for (int d = 0; d < dimensions; d++) {
            dims[d] = intAt(header, 4 + 4 * d);
        }
        return dims;
    }

    /**
     * Refuses a count beyond {@link #MAX_COUNT} or whose data the file cannot hold (exactly, for a
     * raw file; by gzip's best ratio, for a compressed one).
     */
    private static void checkClaim(Path file, MaybeGzipped in, int headerBytes, long count, int itemBytes,
                                   String what, String items) {
        long claimed = count * itemBytes; // at most 2^32 * 2^24: no overflow
        long available = in.maxContentBytes() - headerBytes;
        if (count > MAX_COUNT) {
            throw problem(file, "the header claims " + what + ", more than the " + MAX_COUNT + " " + items
                    + " an IDX file of this family can hold: damaged or not such a file");
        }
        if (claimed > available) {
            throw problem(file, in.compressed()
                    ? "the header claims " + what + " (" + claimed + " bytes), more than a gzip file of "
                    + in.fileSize() + " bytes can hold: truncated or damaged"
                    : "truncated: the header claims " + what + " (" + claimed + " bytes) but only " + available
                    + " bytes follow it");
        }
    }

    /** Extra bytes mean the header and the data disagree: better said than silently dropped. */
    private static void requireEnd(Path file, MaybeGzipped in, String what) {
        try {
            if (in.input().read() >= 0) {
                throw problem(file, "more data after the " + what + " the header claims; the header and the "
                        + "data disagree");
            }
        } catch (IOException e) {
            throw failure(file, e);
        }
    }

    /** Reads until {@code into} is full or the content ends; returns how many bytes arrived. */
    private static int readFully(Path file, InputStream input, byte[] into) {
        return readFully(file, input, into, 0, into.length);
    }

    /**
     * Up to {@code length} bytes, in an array that grows as they arrive rather than one of the
     * size asked for: shorter than {@code length} when the content ends first.
     */
    private static byte[] readUpTo(Path file, InputStream input, int length) {
        byte[] bytes = new byte[Math.min(length, FIRST_CAPACITY)];
        int got = 0;
        while (true) {
            got += readFully(file, input, bytes, got, bytes.length - got);
            if (got < bytes.length || got == length) {
                return got == bytes.length ? bytes : Arrays.copyOf(bytes, got);
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(length, 2L * bytes.length));
        }
    }

    private static int readFully(Path file, InputStream input, byte[] into, int offset, int length) {
        int got = 0;
        try {
            while (got < length) {
                int n = input.read(into, offset + got, length - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (EOFException e) {
            // a gzip stream cut short says so here: the caller reports what is missing
        } catch (IOException e) {
            throw failure(file, e);
        }
        return got;
    }

    private static BadInputException failure(Path file, IOException e) {
        if (e instanceof ZipException) {
            return problem(file, "corrupt gzip data (" + e.getMessage() + ")");
        }
        return new BadInputException(file + ": cannot be read (" + e.getMessage() + ")", e);
    }

    private static long dataBytes(int wholeImages, int imageBytes, int partial) {
        return (long) wholeImages * imageBytes + partial;
    }

    private static String content(MaybeGzipped in) {
        return in.compressed() ? "decompressed content" : "file";
    }

    private static int intAt(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFF) << 24 | (bytes[offset + 1] & 0xFF) << 16 | (bytes[offset + 2] & 0xFF) << 8
                | bytes[offset + 3] & 0xFF;
    }

    private static String hex(int value) {
        return String.format(Locale.ROOT, "0x%08X", value);
    }

    /** A hint for the usual mix-ups: the other file of the pair, or another element type. */
    private static String describe(int magic) {
        if (magic == IMAGES_MAGIC) {
            return " (an image file)";
        }
        if (magic == LABELS_MAGIC) {
            return " (a label file)";
        }
        if ((magic >>> 16) == 0 && (magic >>> 8 & 0xFF) != UNSIGNED_BYTE) {
            return " (IDX data of element type " + String.format(Locale.ROOT, "0x%02X", magic >>> 8 & 0xFF)
                    + "; only unsigned bytes, 0x08, are read)";
        }
        return (magic >>> 16) == 0 ? "" : " (not an IDX file)";
    }

    private static BadInputException problem(Path file, String what) {
        return new BadInputException(file + ": " + what);
    }
}

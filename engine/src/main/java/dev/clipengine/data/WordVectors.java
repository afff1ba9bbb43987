package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.model.Vocabulary;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipException;

/**
 * Pre-trained word vectors, read from the three formats they are shared in, told apart by their
 * content (a name says nothing reliable), each possibly gzip-compressed:
 * <ul>
 * <li>word2vec text: a first line {@code count dim}, then one line per word, {@code word v1 ... vdim};
 * <li>word2vec binary: the same first line, then per word the word, a space, {@code dim}
 *     little-endian float32 and usually a newline;
 * <li>GloVe text: word2vec's text lines without the first line.
 * </ul>
 * These files list words by falling frequency, so their first N entries are the N most frequent
 * words. Every problem is one {@link BadInputException} naming the file and the line (or, in the
 * binary format, which has no lines, the entry).
 *
 * <p>The vectors are held in an array that grows as entries arrive, never one sized by the header:
 * a gzip file can claim 1100 times its size, so a small one claiming a million 300-value vectors
 * would otherwise take 1.2 GB before its truncation is found. At most {@link #MAX_WORDS} words are
 * held, and reading stops at a caller's limit, so a vocabulary size bounds what is read.
 *
 * @param words   the words in file order
 * @param dim     the length of each vector
 * @param vectors {@code [words.size(), dim]}, row-major: word k's vector starts at {@code k * dim}
 */
public record WordVectors(Format format, List<String> words, int dim, float[] vectors) {

    public enum Format { WORD2VEC_TEXT, WORD2VEC_BINARY, GLOVE_TEXT }

    /** Beyond any published embedding; a larger dimension is damage. */
    public static final int MAX_DIM = 65_536;
    /** A line longer than this is no word vector (300 values take about 4 KB). */
    static final int MAX_LINE_BYTES = 16 * MAX_DIM + 65_536;
    /** A binary entry's word longer than this means the file is not what its header says. */
    static final int MAX_WORD_BYTES = 4096;
    /**
     * The most words held at once: beyond every published embedding (Google's News vectors hold 3
     * million) and four times the largest vocabulary a model takes. Reaching it asks for a limit.
     */
    public static final int MAX_WORDS = 1 << 22;
    /** The most values held at once: an array's limit. */
    static final int MAX_VALUES = Integer.MAX_VALUE - 8;
    /** Bytes of a binary file's first entry looked at to tell it from text. */
    private static final int SNIFF_BYTES = 64;
    /** Rows the value array starts with before the data shows how many there really are. */
    private static final int FIRST_ROWS = 64;
    private static final Pattern SEPARATORS = Pattern.compile("[ \t]+");

    public WordVectors {
        words = List.copyOf(words);
        if (dim < 1 || vectors.length != (long) words.size() * dim) {
            throw new IllegalArgumentException(words.size() + " words of dimension " + dim + " but " + vectors.length
                    + " values");
        }
    }

    /** Every entry of the file. */
    public static WordVectors read(Path file) {
        return read(file, 0);
    }

    /** The first {@code limit} entries of the file (all when {@code limit} is 0); the rest is not read. */
    public static WordVectors read(Path file, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit: " + limit);
        }
        try (MaybeGzipped in = MaybeGzipped.open(file)) {
            return new Reader(file, in, limit == 0 ? Integer.MAX_VALUE : limit, false).read();
        }
    }

    /**
     * The first {@code limit} entries the tokenizer can produce (all when {@code limit} is 0), as
     * {@link #forTokenizer} keeps them, reading no further than it takes to find them: a
     * vocabulary size of 10,000 reads the head of a file of millions of words, and holds only the
     * words it keeps.
     */
    public static WordVectors readForTokenizer(Path file, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit: " + limit);
        }
        try (MaybeGzipped in = MaybeGzipped.open(file)) {
            return new Reader(file, in, limit == 0 ? Integer.MAX_VALUE : limit, true).read();
        }
    }

    public int count() {
        return words.size();
    }

    /** The first {@code n} entries (all if there are fewer). */
    public WordVectors first(int n) {
        if (n >= count()) {
            return this;
        }
        return new WordVectors(format, words.subList(0, n), dim, Arrays.copyOf(vectors, n * dim));
    }

    /**
     * The entries the tokenizer can produce, lower-cased: a word of ASCII letters and digits only
     * (in any case), kept at its first, most frequent, appearance, so {@code The} stands for
     * {@code the} only when {@code the} comes later. Words with other characters can never be a
     * token ({@link Vocabulary#words}), so they would only take room.
     */
    public WordVectors forTokenizer() {
        List<String> kept = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        float[] values = new float[vectors.length];
        for (int k = 0; k < words.size(); k++) {
            String token = token(words.get(k), seen);
            if (token != null) {
                System.arraycopy(vectors, k * dim, values, kept.size() * dim, dim);
                kept.add(token);
            }
        }
        return new WordVectors(format, kept, dim, Arrays.copyOf(values, kept.size() * dim));
    }

    /** The word lower-cased when the tokenizer makes it whole and it is not in {@code seen} yet, else null. */
    private static String token(String word, Set<String> seen) {
        List<String> tokens = Vocabulary.words(word);
        return tokens.size() == 1 && tokens.getFirst().length() == word.length() && seen.add(tokens.getFirst())
                ? tokens.getFirst() : null;
    }

    /** One pass over the content, keeping the line (or entry) count for errors. */
    private static final class Reader {

        private final Path file;
        private final MaybeGzipped source;
        private final InputStream in;
        /** Words to hold before reading stops: entries, or with {@code tokenizer} words kept. */
        private final int limit;
        /** Whether to keep only the words the tokenizer makes, lower-cased, each once. */
        private final boolean tokenizer;
        private final Set<String> seen = new HashSet<>();
        private final List<String> words = new ArrayList<>();
        private float[] values = new float[0];
        /** Entries read, kept or not, for the header's promise. */
        private long entries;
        private int line;
        /** Whether the entries are binary, which has no lines: errors then name the entry. */
        private boolean binary;
        private byte[] lineBuffer = new byte[256];

        Reader(Path file, MaybeGzipped source, int limit, boolean tokenizer) {
            this.file = file;
            this.source = source;
            this.in = source.input();
            this.limit = limit;
            this.tokenizer = tokenizer;
        }

        WordVectors read() {
            try {
                byte[] first = readLine();
                if (first == null) {
                    throw problem("the file is empty");
                }
                long[] header = header(text(first));
                if (header == null) {
                    int dim = fields(text(first)).length - 1;
                    if (dim < 1) {
                        throw problem(where() + "expected a word and its vector, or a first line 'count dim'");
                    }
                    checkDim(dim);
                    readText(Format.GLOVE_TEXT, first, dim, -1);
                    return result(Format.GLOVE_TEXT, dim);
                }
                long count = header[0];
                int dim = checkDim(header[1]);
                checkClaim(count, dim);
                if (looksBinary(dim)) {
                    binary = true;
                    readBinary(count, dim);
                    return result(Format.WORD2VEC_BINARY, dim);
                }
                readText(Format.WORD2VEC_TEXT, null, dim, count);
                return result(Format.WORD2VEC_TEXT, dim);
            } catch (ZipException e) {
                throw problem("corrupt gzip data (" + e.getMessage() + ")");
            } catch (EOFException e) {
                throw problem("truncated: the gzip data ends early (" + e.getMessage() + ")");
            } catch (IOException e) {
                throw new BadInputException(file + ": cannot be read (" + e.getMessage() + ")", e);
            }
        }

        private WordVectors result(Format format, int dim) {
            if (words.isEmpty()) {
                throw problem(tokenizer && entries > 0 ? "no word made of the letters a-z and digits 0-9"
                        : "no word vectors in the file");
            }
            return new WordVectors(format, words, dim, Arrays.copyOf(values, words.size() * dim));
        }

        /** {@code count dim} when the line is exactly two non-negative integers, else null. */
        private static long[] header(String line) {
            String[] parts = fields(line);
            if (parts.length != 2 || !parts[0].matches("[0-9]{1,18}") || !parts[1].matches("[0-9]{1,18}")) {
                return null;
            }
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        }

        private int checkDim(long dim) {
            if (dim < 1 || dim > MAX_DIM) {
                throw problem(where() + "a vector dimension of " + dim + "; expected 1 to " + MAX_DIM);
            }
            return (int) dim;
        }

        /**
         * The header's count must fit the file: each entry takes at least two bytes a value in text
         * (a digit and a separator) and four in binary, so two bytes a value bounds both.
         */
        private void checkClaim(long count, int dim) {
            if (count < 1) {
                throw problem(where() + "the header gives " + count + " words");
            }
            if (count > Integer.MAX_VALUE || count * 2L * dim > source.maxContentBytes()) {
                throw problem(where() + "the header claims " + count + " vectors of dimension " + dim
                        + ", more than a file of " + source.fileSize() + " bytes can hold");
            }
        }

        /**
         * Binary when the bytes after the first word are not all characters of decimal numbers:
         * float32 bits almost never are (typical values' exponent bytes alone are not), and text
         * always is.
         */
        private boolean looksBinary(int dim) throws IOException {
            int window = MAX_WORD_BYTES + 2 + SNIFF_BYTES;
            in.mark(window);
            try {
                int b = in.read();
                while (b == '\n' || b == '\r') {
                    b = in.read();
                }
                int wordBytes = 0;
                while (b >= 0 && b != ' ' && b != '\t' && b != '\n' && wordBytes < MAX_WORD_BYTES) {
                    b = in.read();
                    wordBytes++;
                }
                int sniff = Math.min(SNIFF_BYTES, 4 * dim);
                for (int i = 0; i < sniff; i++) {
                    b = in.read();
                    if (b < 0) {
                        return false; // a short text file, or a truncated one: the text reader says which
                    }
                    if (!isNumberByte(b)) {
                        return true;
                    }
                }
                return false;
            } finally {
                in.reset();
            }
        }

        private static boolean isNumberByte(int b) {
            return b >= '0' && b <= '9' || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E' || b == ' '
                    || b == '\t' || b == '\r' || b == '\n';
        }

        /**
         * Text lines {@code word v1 ... vdim}: {@code first} is an already read line to parse first
         * (GloVe's), {@code count} the header's promise (-1 for none).
         */
        private void readText(Format format, byte[] first, int dim, long count) throws IOException {
            byte[] bytes = first != null ? first : readLine();
            while (bytes != null && words.size() < limit) {
                String text = text(bytes);
                if (!text.isBlank()) {
                    if (count >= 0 && entries == count) {
                        throw problem(where() + "more entries than the " + count + " the first line promises");
                    }
                    String[] parts = fields(text);
                    if (parts.length != dim + 1) {
                        throw problem(where() + "expected a word and " + dim + " values, found "
                                + (parts.length - 1) + " values" + (format == Format.GLOVE_TEXT
                                ? " (the first line has " + dim + ")" : ""));
                    }
                    int row = words.size();
                    ensureRows(row + 1, dim);
                    for (int v = 0; v < dim; v++) {
                        values[row * dim + v] = number(parts[v + 1], v + 1);
                    }
                    keep(parts[0]);
                }
                bytes = words.size() < limit ? readLine() : null;
            }
            if (count >= 0 && words.size() < limit && entries < count) {
                throw problem("truncated: the first line promises " + count + " entries, the file ends after "
                        + entries);
            }
        }

        /**
         * Counts the entry whose values were just written to row {@code words.size()} and keeps it
         * when it is one to hold; an entry not kept leaves its row to be overwritten.
         */
        private void keep(String word) {
            entries++;
            String held = tokenizer ? token(word, seen) : word;
            if (held != null) {
                words.add(held);
            }
        }

        /** Entries of a word, a space and {@code dim} little-endian float32, counted from 1. */
        private void readBinary(long count, int dim) throws IOException {
            byte[] vector = new byte[4 * dim];
            byte[] word = new byte[MAX_WORD_BYTES];
            while (words.size() < limit && entries < count) {
                long entry = entries + 1;
                int b = in.read();
                while (b == '\n' || b == '\r') { // the newline that usually ends the previous entry
                    b = in.read();
                }
                int length = 0;
                while (b >= 0 && b != ' ') {
                    if (length == MAX_WORD_BYTES) {
                        throw problem("entry " + entry + ": no space within " + MAX_WORD_BYTES
                                + " bytes of the word's start; not word2vec's binary format, or damaged");
                    }
                    word[length++] = (byte) b;
                    b = in.read();
                }
                if (b < 0) {
                    throw problem("truncated: the header promises " + count + " entries, the file ends in entry "
                            + entry + (length > 0 ? " (in its word)" : ""));
                }
                if (length == 0) {
                    throw problem("entry " + entry + ": an empty word");
                }
                int got = in.readNBytes(vector, 0, vector.length);
                if (got < vector.length) {
                    throw problem("truncated: entry " + entry + " has " + got + " of its " + vector.length
                            + " vector bytes");
                }
                int row = words.size();
                ensureRows(row + 1, dim);
                for (int v = 0; v < dim; v++) {
                    int i = 4 * v;
                    float value = Float.intBitsToFloat(vector[i] & 0xFF | (vector[i + 1] & 0xFF) << 8
                            | (vector[i + 2] & 0xFF) << 16 | (vector[i + 3] & 0xFF) << 24);
                    if (!Float.isFinite(value)) {
                        throw problem("entry " + entry + ": value " + (v + 1) + " is " + value);
                    }
                    values[row * dim + v] = value;
                }
                keep(new String(word, 0, length, StandardCharsets.UTF_8));
            }
        }

        private float number(String field, int position) {
            float value;
            try {
                value = Float.parseFloat(field);
            } catch (NumberFormatException e) {
                throw problem(where() + "value " + position + ", \"" + shorten(field) + "\", is not a number");
            }
            if (!Float.isFinite(value)) {
                throw problem(where() + "value " + position + " is " + value);
            }
            return value;
        }

        /**
         * Grows the value array as entries arrive, doubling, so a file allocates for what it holds
         * whatever its header says; refuses to hold more than {@link #MAX_WORDS} words or
         * {@link #MAX_VALUES} values.
         */
        private void ensureRows(int rows, int dim) {
            long needed = (long) rows * dim;
            if (needed <= values.length) {
                return;
            }
            if (rows > MAX_WORDS || needed > MAX_VALUES) {
                throw problem(where() + "more than " + (rows > MAX_WORDS ? MAX_WORDS + " words"
                        : MAX_VALUES + " values") + " to hold at once; read fewer (a vocabulary size)");
            }
            long grown = Math.max(needed, Math.max(2L * values.length, (long) FIRST_ROWS * dim));
            long most = Math.min((long) Math.min(MAX_WORDS, limit) * dim, MAX_VALUES);
            values = Arrays.copyOf(values, (int) Math.min(grown, most));
        }

        /** The next line without its newline, or null at the end; counts lines for errors. */
        private byte[] readLine() throws IOException {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            line++;
            int length = 0;
            while (b >= 0 && b != '\n') {
                if (length == MAX_LINE_BYTES) {
                    throw problem(where() + "longer than " + MAX_LINE_BYTES + " bytes; not a word-vector file?");
                }
                if (length == lineBuffer.length) {
                    lineBuffer = Arrays.copyOf(lineBuffer, Math.min(MAX_LINE_BYTES, 2 * length));
                }
                lineBuffer[length++] = (byte) b;
                b = in.read();
            }
            return Arrays.copyOf(lineBuffer, length);
        }

        /** Lenient UTF-8: a word that is not valid UTF-8 can never match a caption's word anyway. */
        private static String text(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** Fields separated by spaces or tabs; a trailing separator (fastText writes one) is no field. */
        private static String[] fields(String line) {
            String stripped = line.strip();
            return stripped.isEmpty() ? new String[0] : SEPARATORS.split(stripped);
        }

        private static String shorten(String field) {
            return field.length() <= 40 ? field : field.substring(0, 40) + "...";
        }

        private String where() {
            return binary ? "entry " + (entries + 1) + ": " : "line " + line + ": ";
        }

        private BadInputException problem(String what) {
            return new BadInputException(file + ": " + what);
        }
    }
}

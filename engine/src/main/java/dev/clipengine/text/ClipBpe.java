package dev.clipengine.text;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level byte-pair-encoding tokenizer, id for id OpenAI's {@code SimpleTokenizer}: a
 * caption is cleaned ({@link ClipTextCleaner}), split into words, numbers' digits and runs of
 * punctuation, each piece's UTF-8 bytes are merged by the vocabulary's merges, lowest rank
 * first, and the ids are framed by start-of-text and end-of-text. Thread-safe. See
 * docs/tokenizer.md.
 */
public final class ClipBpe {

    /** The context length of OpenAI's and open_clip's models. */
    public static final int CONTEXT_LENGTH = 77;

    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";

    /** The words of a caption corpus repeat; past this many distinct pieces the cache starts afresh. */
    static final int CACHE_LIMIT = 20_000;

    /**
     * OpenAI's pre-tokenizer, which its {@code regex} module runs with IGNORECASE on lower-cased
     * text. Java's {@code \s} with UNICODE_CHARACTER_CLASS is Unicode's White_Space, as that
     * module's is (Python's {@code re} would add U+001C to U+001F). Case-blind, that module finds
     * U+0345 (a combining mark that folds to the letter iota) in no class, not even the negated
     * one, so it belongs to no piece and is dropped; Java's negated class needs telling.
     */
    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}\\x{345}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    private final int[] byteIds;
    private final int[] byteEndIds;
    private final MergeTable merges;
    private final int startOfText;
    private final int endOfText;
    private final int vocabularySize;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final Source source;

    /** The vocabulary as read: each symbol's id, and the merges in rank order. */
    record Source(Map<String, Integer> ids, List<BpeVocabularyReader.Merge> merges) {
    }

    /**
     * @param byteIds        the id of each byte's symbol, by byte value
     * @param byteEndIds     the same with {@code </w>}, the symbol that ends a piece
     * @param vocabularySize one more than the largest id of the vocabulary
     */
    ClipBpe(int[] byteIds, int[] byteEndIds, MergeTable merges, int startOfText, int endOfText, int vocabularySize,
            Source source) {
        this.source = source;
        this.byteIds = byteIds.clone();
        this.byteEndIds = byteEndIds.clone();
        this.merges = merges;
        this.startOfText = startOfText;
        this.endOfText = endOfText;
        this.vocabularySize = vocabularySize;
    }

    /**
     * OpenAI's vocabulary ({@code bpe_simple_vocab_16e6.txt.gz}, MIT licence, shipped in this
     * jar), read on first use and shared.
     */
    public static ClipBpe openAi() {
        return OpenAiVocabulary.BPE;
    }

    /**
     * A Hugging Face CLIP tokenizer's files: {@code vocab.json} (every symbol's id) and
     * {@code merges.txt} (the merges in rank order after a {@code #version} line).
     *
     * @throws dev.clipengine.BadInputException naming the file and what is wrong with it
     */
    public static ClipBpe fromHuggingFace(Path vocabJson, Path mergesTxt) {
        return BpeVocabularyReader.huggingFace(vocabJson, mergesTxt);
    }

    public int startOfText() {
        return startOfText;
    }

    public int endOfText() {
        return endOfText;
    }

    /** One more than the largest id: a model's token embedding needs at least this many rows. */
    public int vocabularySize() {
        return vocabularySize;
    }

    /**
     * The vocabulary as Hugging Face's {@code vocab.json}: every symbol and its id, in id order,
     * written as Python's {@code json.dumps(..., ensure_ascii=False)} writes it.
     */
    public String vocabJson() {
        List<Map.Entry<String, Integer>> byId = new ArrayList<>(source.ids().entrySet());
        byId.sort(Map.Entry.comparingByValue());
        StringBuilder json = new StringBuilder(byId.size() * 16).append('{');
        for (Map.Entry<String, Integer> entry : byId) {
            if (json.length() > 1) {
                json.append(", ");
            }
            appendJsonString(json, entry.getKey()).append(": ").append(entry.getValue());
        }
        return json.append('}').toString();
    }

    /** The merges as Hugging Face's {@code merges.txt}: a {@code #version} line, then one merge a line. */
    public String mergesTxt() {
        StringBuilder text = new StringBuilder(source.merges().size() * 12).append("#version: 0.2\n");
        for (BpeVocabularyReader.Merge merge : source.merges()) {
            text.append(merge.first()).append(' ').append(merge.second()).append('\n');
        }
        return text.toString();
    }

    private static StringBuilder appendJsonString(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /** The caption's ids from start-of-text to end-of-text, of any length. */
    public int[] encode(String text) {
        IdList ids = new IdList();
        ids.add(startOfText);
        appendPieces(ClipTextCleaner.clean(text), ids);
        ids.add(endOfText);
        return ids.toArray();
    }

    /**
     * The caption's ids in a row of {@code contextLength}, zero-padded; a caption too long keeps
     * its first {@code contextLength} ids with end-of-text put last, as OpenAI's
     * {@code tokenize(..., truncate=True)} and open_clip do.
     */
    public int[] encode(String text, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length " + contextLength + " < 1");
        }
        int[] ids = encode(text);
        int[] row = Arrays.copyOf(ids, contextLength);
        if (ids.length > contextLength) {
            row[contextLength - 1] = endOfText;
        }
        return row;
    }

    /** The ids of cleaned text, unframed: each piece's merged symbols, or a special token's id. */
    void appendPieces(String cleaned, IdList ids) {
        Matcher piece = PIECES.matcher(cleaned);
        while (piece.find()) {
            String text = piece.group();
            // only the exact texts: "<|ſtartoftext|>" matches the pattern's first branch case-blind,
            // but OpenAI looks the special tokens up verbatim and byte-pair-encodes anything else
            if (text.equals(START_OF_TEXT)) {
                ids.add(startOfText);
            } else if (text.equals(END_OF_TEXT)) {
                ids.add(endOfText);
            } else {
                ids.addAll(merged(text));
            }
        }
    }

    private int[] merged(String piece) {
        int[] symbols = cache.get(piece);
        if (symbols == null) {
            symbols = bytePairEncode(piece.getBytes(StandardCharsets.UTF_8));
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(piece, symbols);
        }
        return symbols;
    }

    /**
     * OpenAI's {@code bpe}: the piece's byte symbols, the last one with {@code </w>}; then, while
     * some adjacent pair has a merge, the pair of lowest rank is merged wherever it occurs, left
     * to right.
     */
    int[] bytePairEncode(byte[] bytes) {
        int length = bytes.length;
        int[] word = new int[length];
        for (int i = 0; i < length; i++) {
            word[i] = (i == length - 1 ? byteEndIds : byteIds)[bytes[i] & 0xFF];
        }
        while (length > 1) {
            int best = -1;
            int bestAt = -1;
            for (int i = 0; i + 1 < length; i++) {
                int slot = merges.find(word[i], word[i + 1]);
                if (slot >= 0 && (best < 0 || merges.rank(slot) < merges.rank(best))) {
                    best = slot;
                    bestAt = i;
                }
            }
            if (best < 0) {
                break;
            }
            int first = word[bestAt];
            int second = word[bestAt + 1];
            int kept = 0;
            for (int i = 0; i < length; ) {
                if (i + 1 < length && word[i] == first && word[i + 1] == second) {
                    word[kept++] = merges.merged(best);
                    i += 2;
                } else {
                    word[kept++] = word[i++];
                }
            }
            length = kept;
        }
        return Arrays.copyOf(word, length);
    }

    /** How many pieces the cache holds now. */
    int cachedPieces() {
        return cache.size();
    }

    /** Read on first use of {@link #openAi()}, once for all threads. */
    private static final class OpenAiVocabulary {
        static final ClipBpe BPE = BpeVocabularyReader.openAi();
    }

    /** A growable list of ids. */
    static final class IdList {
        private int[] ids = new int[32];
        private int size;

        void add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        void addAll(int[] more) {
            if (size + more.length > ids.length) {
                ids = Arrays.copyOf(ids, Math.max(size * 2, size + more.length));
            }
            System.arraycopy(more, 0, ids, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}

package dev.clipengine.model;

import dev.clipengine.BadInputException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Words and their token ids, with the word tokenizer of docs/model.md: lower-case with {@link Locale#ROOT},
 * split on every character that is not {@code a-z} or {@code 0-9}, drop empty words. Id 0 is
 * {@code <unk>}, given to every unknown word.
 */
public final class Vocabulary {

    public static final String UNKNOWN = "<unk>";
    /** The transformer's start-of-text and end-of-text words, the last two of its vocabulary. */
    public static final String START = "<start>";
    public static final String END = "<end>";

    private final List<String> words;
    private final Map<String, Integer> ids;

    /** words.get(0) must be {@code <unk>}; the rest must be distinct. */
    public Vocabulary(List<String> words) {
        if (words.isEmpty() || !UNKNOWN.equals(words.get(0))) {
            throw new BadInputException("vocabulary: entry 0 must be " + UNKNOWN);
        }
        this.words = List.copyOf(words);
        this.ids = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            if (ids.put(words.get(i), i) != null) {
                throw new BadInputException("vocabulary: the word '" + words.get(i) + "' appears twice");
            }
        }
    }

    /** {@code <unk>} then every word of the captions, in order of first appearance. */
    public static Vocabulary fromCaptions(Collection<String> captions) {
        List<String> words = new ArrayList<>();
        words.add(UNKNOWN);
        Map<String, Boolean> seen = new HashMap<>();
        for (String caption : captions) {
            for (String word : words(caption)) {
                if (seen.putIfAbsent(word, Boolean.TRUE) == null) {
                    words.add(word);
                }
            }
        }
        return new Vocabulary(words);
    }

    /** The caption's words, lower-cased, split on everything but ASCII letters and digits. */
    public static List<String> words(String caption) {
        String lower = caption.toLowerCase(Locale.ROOT);
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= lower.length(); i++) {
            char ch = i < lower.length() ? lower.charAt(i) : ' ';
            boolean wordChar = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
            if (wordChar && start < 0) {
                start = i;
            } else if (!wordChar && start >= 0) {
                words.add(lower.substring(start, i));
                start = -1;
            }
        }
        return words;
    }

    /**
     * Token ids of the caption's first maxTokens words, written to out from outOffset; returns how
     * many. A caption with no word is bad input: {@code where} names it in the error.
     */
    public int encode(String caption, int maxTokens, int[] out, int outOffset, String where) {
        List<String> words = words(caption);
        if (words.isEmpty()) {
            throw new BadInputException(where + ": the caption \"" + caption + "\" has no word (only letters a-z "
                    + "and digits 0-9 make words)");
        }
        int n = Math.min(words.size(), maxTokens);
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = ids.getOrDefault(words.get(i), 0);
        }
        return n;
    }

    public int[] encode(String caption, int maxTokens, String where) {
        int[] ids = new int[maxTokens];
        int n = encode(caption, maxTokens, ids, 0, where);
        return java.util.Arrays.copyOf(ids, n);
    }

    /**
     * This vocabulary with {@code <start>} and {@code <end>} as its last two words, as a
     * transformer with the word tokenizer needs (its end-of-text token must be the largest id);
     * itself when they are already there.
     */
    public Vocabulary withFraming() {
        int n = words.size();
        if (n >= 3 && START.equals(words.get(n - 2)) && END.equals(words.get(n - 1))) {
            return this;
        }
        List<String> framed = new ArrayList<>(words);
        framed.add(START);
        framed.add(END);
        return new Vocabulary(framed);
    }

    /** The id of a word of this vocabulary; an unknown word is an error, not {@code <unk>}. */
    public int id(String word) {
        Integer id = ids.get(word);
        if (id == null) {
            throw new BadInputException("vocabulary: no word '" + word + "'");
        }
        return id;
    }

    public int size() {
        return words.size();
    }

    public String word(int id) {
        return words.get(id);
    }

    public List<String> words() {
        return words;
    }
}

package dev.clipengine.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.clipengine.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Builds a {@link ClipBpe} from OpenAI's merges file (shipped in the jar) or from a Hugging Face
 * {@code vocab.json} and {@code merges.txt}, checking that every merge joins two symbols of the
 * vocabulary into a third, and that the 512 byte symbols and both special tokens are there, so
 * that encoding can never meet a symbol without an id.
 */
final class BpeVocabularyReader {

    /** Neither file of a real CLIP vocabulary comes near this (1.6 MB and 0.5 MB); nor may a hostile one. */
    static final long MAX_FILE_BYTES = 50L << 20;
    /** CLIP has 49,408 ids; a file claiming twenty times that many is not a CLIP vocabulary. */
    static final int MAX_ENTRIES = 1_000_000;

    static final String OPENAI_RESOURCE = "bpe_simple_vocab_16e6.txt.gz";
    /** OpenAI's {@code merges[1:49152-256-2+1]}: the merges its 49,408 ids leave room for. */
    static final int OPENAI_MERGES = 49152 - 256 - 2;

    private static final String END_OF_WORD = "</w>";

    /** The merge of {@code first} and {@code second}, from line {@code line} of its file. */
    record Merge(String first, String second, int line) {}

    private BpeVocabularyReader() {
    }

    /**
     * OpenAI's {@code SimpleTokenizer.__init__}: ids for the 256 byte symbols, the same with
     * {@code </w>}, each merge's result in rank order, then the two special tokens.
     */
    static ClipBpe openAi() {
        List<Merge> merges = readOpenAiMerges();
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            symbols.add(String.valueOf(ByteSymbols.symbol(ByteSymbols.byteAt(i))));
        }
        for (int i = 0; i < 256; i++) {
            symbols.add(symbols.get(i) + END_OF_WORD);
        }
        for (Merge merge : merges) {
            symbols.add(merge.first() + merge.second());
        }
        symbols.add(ClipBpe.START_OF_TEXT);
        symbols.add(ClipBpe.END_OF_TEXT);
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < symbols.size(); id++) {
            // Python's dict(zip(vocab, range(...))): a symbol listed twice keeps its last id
            ids.put(symbols.get(id), id);
        }
        try {
            return build(ids, merges, "the bundled " + OPENAI_RESOURCE, "the bundled " + OPENAI_RESOURCE);
        } catch (BadInputException e) {
            throw new IllegalStateException("the jar's vocabulary is damaged: " + e.getMessage(), e);
        }
    }

    private static List<Merge> readOpenAiMerges() {
        try (InputStream resource = BpeVocabularyReader.class.getResourceAsStream(OPENAI_RESOURCE)) {
            if (resource == null) {
                throw new IllegalStateException("the resource " + OPENAI_RESOURCE + " is missing from the jar");
            }
            // only the lines OpenAI reads are decompressed: the file holds five times as many
            String text = Utf8Text.decodeLines(new GZIPInputStream(resource), MAX_FILE_BYTES, OPENAI_MERGES + 1,
                    "the bundled " + OPENAI_RESOURCE);
            List<Merge> merges = new ArrayList<>(OPENAI_MERGES);
            // line 1 is a header; OpenAI splits each merge on white space
            int number = 2;
            for (int start = text.indexOf('\n') + 1; start > 0 && merges.size() < OPENAI_MERGES; number++) {
                int end = lineEnd(text, start);
                merges.add(merge(text.substring(start, end).strip(), number, "the bundled " + OPENAI_RESOURCE));
                start = end < text.length() ? end + 1 : -1;
            }
            return merges;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the resource " + OPENAI_RESOURCE, e);
        }
    }

    static ClipBpe huggingFace(Path vocabJson, Path mergesTxt) {
        Map<String, Integer> ids = readVocabJson(vocabJson);
        List<Merge> merges = readMergesTxt(mergesTxt);
        return build(ids, merges, vocabJson.toString(), mergesTxt.toString());
    }

    /** A JSON object whose every value is a distinct id from 0 up. */
    static Map<String, Integer> readVocabJson(Path file) {
        byte[] bytes = Utf8Text.readBounded(file, MAX_FILE_BYTES);
        JsonFactory json = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        Map<String, Integer> ids = new HashMap<>();
        Map<Integer, String> symbols = new HashMap<>();
        try (JsonParser parser = json.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw bad(file, "not a JSON object of token ids");
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                if (token != JsonToken.FIELD_NAME) {
                    throw bad(file, "not a JSON object of token ids");
                }
                String symbol = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                        || parser.getIntValue() < 0 || parser.getIntValue() == Integer.MAX_VALUE) {
                    throw bad(file, "the id of " + quoted(symbol) + " is not a whole number from 0 to "
                            + (Integer.MAX_VALUE - 1));
                }
                int id = parser.getIntValue();
                String other = symbols.putIfAbsent(id, symbol);
                if (other != null) {
                    throw bad(file, quoted(other) + " and " + quoted(symbol) + " both have id " + id);
                }
                ids.put(symbol, id);
                if (ids.size() > MAX_ENTRIES) {
                    throw bad(file, "more than " + MAX_ENTRIES + " tokens");
                }
            }
            if (parser.nextToken() != null) {
                throw bad(file, "more after the JSON object's end");
            }
        } catch (JsonProcessingException e) {
            throw bad(file, "not valid JSON: " + oneLine(e.getOriginalMessage()) + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw bad(file, "cannot be read (" + oneLine(e.getMessage()) + ")");
        }
        if (ids.isEmpty()) {
            throw bad(file, "holds no tokens");
        }
        return ids;
    }

    /** After an optional {@code #version} line, one merge a line: two symbols and one space between. */
    static List<Merge> readMergesTxt(Path file) {
        String text = Utf8Text.decode(Utf8Text.readBounded(file, MAX_FILE_BYTES), file.toString());
        int last = text.length();
        while (last > 0 && Character.isWhitespace(text.charAt(last - 1))) {
            last--;
        }
        List<Merge> merges = new ArrayList<>();
        int number = 1;
        for (int start = 0; start < last; number++) {
            int end = Math.min(lineEnd(text, start), last);
            boolean header = number == 1 && text.startsWith("#version", start);
            if (!header) {
                if (merges.size() == MAX_ENTRIES) {
                    throw bad(file, "more than " + MAX_ENTRIES + " merges");
                }
                // lines may end in \r\n
                int content = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
                merges.add(merge(text.substring(start, content), number, file.toString()));
            }
            start = end + 1;
        }
        if (merges.isEmpty()) {
            throw bad(file, "holds no merges");
        }
        return merges;
    }

    /** The index of the {@code \n} that ends the line starting at {@code start}, or the text's length. */
    private static int lineEnd(String text, int start) {
        int newline = text.indexOf('\n', start);
        return newline < 0 ? text.length() : newline;
    }

    /** One line of a merges file: the substrings are made here, so no line is kept as a string of its own. */
    private static Merge merge(String line, int number, String file) {
        int space = line.indexOf(' ');
        if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
            throw new BadInputException(file + ": line " + number + " is not two symbols separated by one space: "
                    + quoted(line));
        }
        return new Merge(line.substring(0, space), line.substring(space + 1), number);
    }

    private static ClipBpe build(Map<String, Integer> ids, List<Merge> merges, String vocabName, String mergesName) {
        int[] byteIds = new int[256];
        int[] byteEndIds = new int[256];
        for (int b = 0; b < 256; b++) {
            String symbol = String.valueOf(ByteSymbols.symbol(b));
            byteIds[b] = required(ids, symbol, vocabName, "the symbol of byte " + b);
            byteEndIds[b] = required(ids, symbol + END_OF_WORD, vocabName, "the end-of-word symbol of byte " + b);
        }
        int startOfText = required(ids, ClipBpe.START_OF_TEXT, vocabName, "the start-of-text token");
        int endOfText = required(ids, ClipBpe.END_OF_TEXT, vocabName, "the end-of-text token");
        MergeTable table = new MergeTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            Merge merge = merges.get(rank);
            // the messages are made only for a fault: a merges file has tens of thousands of lines
            Integer first = ids.get(merge.first());
            Integer second = ids.get(merge.second());
            Integer merged = ids.get(merge.first() + merge.second());
            if (first == null || second == null || merged == null) {
                String where = "line " + merge.line() + " of " + mergesName;
                required(ids, merge.first(), vocabName, "the first symbol of " + where);
                required(ids, merge.second(), vocabName, "the second symbol of " + where);
                required(ids, merge.first() + merge.second(), vocabName, "the merge on " + where);
            }
            table.put(first, second, rank, merged);
        }
        int largest = ids.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        // kept as read, for writing the files again: nothing more is allocated here
        return new ClipBpe(byteIds, byteEndIds, table, startOfText, endOfText, largest + 1,
                new ClipBpe.Source(ids, merges));
    }

    private static int required(Map<String, Integer> ids, String symbol, String vocabName, String what) {
        Integer id = ids.get(symbol);
        if (id == null) {
            throw new BadInputException(vocabName + ": lacks " + quoted(symbol) + ", " + what);
        }
        return id;
    }

    private static BadInputException bad(Path file, String what) {
        return new BadInputException(file + ": " + what);
    }

    /** A symbol for a one-line message: quoted, controls escaped, cut if long. */
    static String quoted(String symbol) {
        StringBuilder out = new StringBuilder("\"");
        int shown = 0;
        for (int i = 0; i < symbol.length(); i += Character.charCount(symbol.codePointAt(i))) {
            if (++shown > 40) {
                return out.append("...\"").toString();
            }
            int c = symbol.codePointAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        }
        return out.append('"').toString();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").strip();
    }
}

package dev.clipengine.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The named character references the cleaner decodes, read once from tables generated from
 * Python ({@code tools/clip-text/make_entity_tables.py}) so that both unescapers agree with the
 * Python that OpenAI's tokenizer runs on: Python's {@code html.entities.html5}, and the
 * all-capitals names that ftfy decodes besides.
 */
final class HtmlEntities {

    /** Python's table: names with and without their semicolon, as {@code html.unescape} sees them. */
    static final Map<String, String> HTML5 = read("html5-entities.tsv");

    /**
     * ftfy's table: {@code &name;} for every HTML5 name that ends in a semicolon, plus the
     * upper-cased spellings ftfy adds ({@code &EACUTE;}), each with its text.
     */
    static final Map<String, String> FTFY = ftfyTable();

    /** No name of {@link #HTML5} is longer; Python's pattern reads at most 32 characters of one. */
    static final int LONGEST_NAME = HTML5.keySet().stream().mapToInt(String::length).max().orElseThrow();

    private HtmlEntities() {
    }

    private static Map<String, String> ftfyTable() {
        Map<String, String> table = new HashMap<>();
        HTML5.forEach((name, text) -> {
            if (name.endsWith(";")) {
                table.put("&" + name, text);
            }
        });
        read("ftfy-uppercase-entities.tsv").forEach((name, text) -> table.put("&" + name, text));
        return Map.copyOf(table);
    }

    private static Map<String, String> read(String resource) {
        Map<String, String> table = new HashMap<>();
        try (InputStream in = HtmlEntities.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + resource + " is missing from the jar");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder text = new StringBuilder();
                for (String codePoint : line.substring(tab + 1).split(" ")) {
                    text.appendCodePoint(Integer.parseInt(codePoint, 16));
                }
                table.put(line.substring(0, tab), text.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the resource " + resource, e);
        }
        return Map.copyOf(table);
    }
}

package dev.clipengine.text;

import java.text.Normalizer;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ftfy's {@code fix_text} (ftfy 6.3, its default settings) less its mojibake repair, which OpenAI's
 * tokenizer applies first to every caption. The text is fixed a line at a time (each piece ends
 * after a {@code \n}); each line goes through the fixes below, in ftfy's order, again and again
 * until a round changes nothing:
 * <ol>
 *   <li>HTML entities with a semicolon decoded ({@link #unescapeHtml}), unless a {@code <} in
 *       this line or an earlier one says the text may be HTML to be kept as it is;</li>
 *   <li>C1 control characters read as the Windows-1252 characters they stand for;</li>
 *   <li>Latin ligatures taken apart ({@code ﬁ} to {@code fi}, {@code ĳ} to {@code ij});</li>
 *   <li>full-width and half-width forms, and the ideographic space, made normal width;</li>
 *   <li>curly quotes and apostrophes straightened;</li>
 *   <li>line breaks made {@code \n};</li>
 *   <li>lone surrogates replaced by U+FFFD;</li>
 *   <li>ANSI terminal escapes ({@code ESC[...m}) removed;</li>
 *   <li>control characters other than tab, line feed, form feed and carriage return removed;</li>
 *   <li>Unicode NFC.</li>
 * </ol>
 * ftfy's {@code fix_encoding}, which finds text that was UTF-8 read as Latin-1 or Windows-1252
 * ({@code cafÃ©}) and decodes it again, is not done: such text is tokenized as it is.
 */
public final class TextFixes {

    /** ftfy's {@code max_decode_length}: a line longer than this many characters is fixed in pieces. */
    static final int MAX_SEGMENT_CODE_POINTS = 1_000_000;

    /** ftfy's {@code HTML_ENTITY_RE}: only references that end in a semicolon. */
    private static final Pattern HTML_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    /** ftfy's {@code ANSI_RE}; Python's {@code \d} is any decimal digit, not only ASCII's. */
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[(?:\\p{Nd}|;)*[a-zA-Z]");

    private static final Map<Integer, String> LIGATURES = Map.ofEntries(
            Map.entry(0x0132, "IJ"), Map.entry(0x0133, "ij"),
            // Afrikaans: the apostrophe is U+02BC, which uncurling later straightens
            Map.entry(0x0149, "\u02BCn"),
            Map.entry(0x01F1, "DZ"), Map.entry(0x01F2, "Dz"), Map.entry(0x01F3, "dz"),
            Map.entry(0x01C4, "D\u017D"), Map.entry(0x01C5, "D\u017E"), Map.entry(0x01C6, "d\u017E"),
            Map.entry(0x01C7, "LJ"), Map.entry(0x01C8, "Lj"), Map.entry(0x01C9, "lj"),
            Map.entry(0x01CA, "NJ"), Map.entry(0x01CB, "Nj"), Map.entry(0x01CC, "nj"),
            Map.entry(0xFB00, "ff"), Map.entry(0xFB01, "fi"), Map.entry(0xFB02, "fl"),
            Map.entry(0xFB03, "ffi"), Map.entry(0xFB04, "ffl"), Map.entry(0xFB05, "\u017Ft"), Map.entry(0xFB06, "st"));

    private TextFixes() {
    }

    /** The whole of this fixing, as ftfy's {@code fix_text} does it line by line. */
    public static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        // ftfy decides once per line, and a line that looks like HTML turns decoding off for the rest
        boolean unescape = true;
        int start = 0;
        while (start < text.length()) {
            int end = segmentEnd(text, start);
            String segment = text.substring(start, end);
            if (segment.indexOf('<') >= 0) {
                unescape = false;
            }
            out.append(fixSegment(segment, unescape));
            start = end;
        }
        return out.toString();
    }

    private static int segmentEnd(String text, int start) {
        int newline = text.indexOf('\n', start);
        int end = newline < 0 ? text.length() : newline + 1;
        if (text.codePointCount(start, end) > MAX_SEGMENT_CODE_POINTS) {
            end = text.offsetByCodePoints(start, MAX_SEGMENT_CODE_POINTS);
        }
        return end;
    }

    /** ftfy's {@code fix_and_explain}: every fix in turn until the text stops changing. */
    static String fixSegment(String text, boolean unescape) {
        while (true) {
            String before = text;
            if (unescape) {
                text = unescapeHtml(text);
            }
            text = fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = removeTerminalEscapes(text);
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(before)) {
                return text;
            }
        }
    }

    /**
     * ftfy's {@code unescape_html}: a reference that ends in a semicolon and whose name is an
     * HTML5 name, or the all-capitals spelling of a lower-case one ({@code &EACUTE;} is
     * {@code É}); a numeric one as Python decodes it, unless Python would leave its semicolon.
     * Unlike Python's {@code html.unescape} it leaves {@code &amp} and {@code &notit;} alone.
     */
    static String unescapeHtml(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher entity = HTML_ENTITY.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        while (entity.find()) {
            String reference = entity.group();
            String decoded = HtmlEntities.FTFY.get(reference);
            if (decoded == null && reference.startsWith("&#")) {
                decoded = PythonHtml.unescape(reference);
                if (decoded.indexOf(';') >= 0) {
                    decoded = null;
                }
            }
            out.append(text, copied, entity.start()).append(decoded == null ? reference : decoded);
            copied = entity.end();
        }
        return out.append(text, copied, text.length()).toString();
    }

    static String fixC1Controls(String text) {
        return map(text, c -> c >= 0x80 && c <= 0x9F ? String.valueOf(Windows1252.C1[c - 0x80]) : null);
    }

    static String fixLatinLigatures(String text) {
        return map(text, LIGATURES::get);
    }

    /**
     * ftfy's width map: NFKC of each character of the Halfwidth and Fullwidth Forms block that it
     * changes ({@code Ａ} to {@code A}, half-width katakana to katakana), and U+3000 to a space.
     */
    static String fixCharacterWidth(String text) {
        return map(text, c -> {
            if (c == 0x3000) {
                return " ";
            }
            if (c >= 0xFF01 && c <= 0xFFEF) {
                String normal = Normalizer.normalize(Character.toString(c), Normalizer.Form.NFKC);
                return normal.equals(Character.toString(c)) ? null : normal;
            }
            return null;
        });
    }

    /** ftfy's quote characters: U+02BC and U+2018 to U+201B become {@code '}, U+201C to U+201F {@code "}. */
    static String uncurlQuotes(String text) {
        return map(text, c -> {
            if (c == 0x02BC || (c >= 0x2018 && c <= 0x201B)) {
                return "'";
            }
            return c >= 0x201C && c <= 0x201F ? "\"" : null;
        });
    }

    static String fixLineBreaks(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    /**
     * In Python a surrogate pair can stand as two characters, which ftfy joins; in a Java string
     * the pair is the character already, so only the lone halves are left to replace.
     */
    static String fixSurrogates(String text) {
        return map(text, c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE ? "\uFFFD" : null);
    }

    static String removeTerminalEscapes(String text) {
        return text.indexOf('\u001B') < 0 ? text : ANSI_ESCAPE.matcher(text).replaceAll("");
    }

    /**
     * ftfy's {@code CONTROL_CHARS}: C0 controls but tab, line feed, form feed and carriage return;
     * DEL; the deprecated Arabic format controls U+206A to U+206F; the byte order mark; the
     * interlinear annotation characters and the object replacement character U+FFF9 to U+FFFC.
     */
    static String removeControlChars(String text) {
        return map(text, c -> isRemovedControl(c) ? "" : null);
    }

    private static boolean isRemovedControl(int c) {
        return (c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F
                || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
    }

    @FunctionalInterface
    private interface Replacement {
        /** What the code point becomes, or null to keep it. */
        String of(int codePoint);
    }

    /** Python's {@code str.translate}: each code point replaced by the table's text, if it has one. */
    private static String map(String text, Replacement replacement) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            String replaced = replacement.of(c);
            if (replaced != null && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                if (replaced != null) {
                    out.append(replaced);
                } else {
                    out.append(text, i, next);
                }
            }
            i = next;
        }
        return out == null ? text : out.toString();
    }
}

package dev.clipengine.text;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape} (Python 3.11's {@code html/__init__.py}), which OpenAI's tokenizer
 * applies twice to every caption: named references from the HTML5 table, including the old names
 * that need no semicolon ({@code &amp}, {@code &copy}) and, failing a whole name, its longest such
 * prefix ({@code &notit;} is {@code ¬it;}); decimal and hexadecimal references with the HTML5
 * standard's repairs. Everything else is left as it was.
 */
public final class PythonHtml {

    /** Python's {@code _charref}: a name is read up to 32 characters, its semicolon optional. */
    private static final Pattern REFERENCE =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)");

    private static final int MAX_CODE_POINT = 0x10FFFF;

    private PythonHtml() {
    }

    public static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher reference = REFERENCE.matcher(text);
        StringBuilder out = null;
        int copied = 0;
        while (reference.find()) {
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, reference.start()).append(replacement(reference.group(1)));
            copied = reference.end();
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** Python's {@code _replace_charref}; {@code reference} is the text after the ampersand. */
    private static String replacement(String reference) {
        if (reference.charAt(0) == '#') {
            boolean hex = reference.charAt(1) == 'x' || reference.charAt(1) == 'X';
            String digits = reference.substring(hex ? 2 : 1, reference.length() - (reference.endsWith(";") ? 1 : 0));
            return numericReference(parse(digits, hex ? 16 : 10));
        }
        String text = HtmlEntities.HTML5.get(reference);
        if (text != null) {
            return text;
        }
        // the longest proper prefix, of two characters at least, that is a name; only names without
        // a semicolon can be one, and every such name is ASCII, so counting chars counts characters
        for (int length = Math.min(reference.length() - 1, HtmlEntities.LONGEST_NAME); length > 1; length--) {
            text = HtmlEntities.HTML5.get(reference.substring(0, length));
            if (text != null) {
                return text + reference.substring(length);
            }
        }
        return "&" + reference;
    }

    /**
     * The number the digits spell, or {@code MAX_CODE_POINT + 1} for any larger one. (Python
     * parses a number of any length, but refuses a decimal one of more than 4,300 digits with a
     * ValueError out of {@code html.unescape}; this gives U+FFFD there as for every other number
     * past the last code point.)
     */
    private static int parse(String digits, int radix) {
        int value = 0;
        for (int i = 0; i < digits.length(); i++) {
            value = value * radix + Character.digit(digits.charAt(i), radix);
            if (value > MAX_CODE_POINT) {
                return MAX_CODE_POINT + 1;
            }
        }
        return value;
    }

    /** Python's repairs of a numeric reference, from the HTML5 standard's tokenizer. */
    static String numericReference(int number) {
        if (number == 0) {
            return "\uFFFD";
        }
        if (number == 0x0D) {
            return "\r";
        }
        if (number >= 0x80 && number <= 0x9F) {
            // the browsers' reading of C1 code points as Windows-1252
            return String.valueOf(Windows1252.C1[number - 0x80]);
        }
        if ((number >= 0xD800 && number <= 0xDFFF) || number > MAX_CODE_POINT) {
            return "\uFFFD";
        }
        if (isInvalidCodePoint(number)) {
            return "";
        }
        return Character.toString(number);
    }

    /** Python's {@code _invalid_codepoints} less those its {@code _invalid_charrefs} replace first. */
    private static boolean isInvalidCodePoint(int number) {
        return (number >= 0x01 && number <= 0x08)
                || number == 0x0B
                || (number >= 0x0E && number <= 0x1F)
                || number == 0x7F
                || (number >= 0xFDD0 && number <= 0xFDEF)
                || (number & 0xFFFE) == 0xFFFE;
    }
}

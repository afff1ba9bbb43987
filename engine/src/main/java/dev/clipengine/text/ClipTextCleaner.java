package dev.clipengine.text;

/**
 * What OpenAI's tokenizer does to a caption before splitting it into words: ftfy's
 * {@code fix_text} ({@link TextFixes}, without its mojibake repair), Python's
 * {@code html.unescape} twice ({@link PythonHtml}), every run of white space made one space and
 * the ends trimmed, then Python's {@code str.lower} ({@link PythonCase}). See docs/tokenizer.md.
 */
public final class ClipTextCleaner {

    private ClipTextCleaner() {
    }

    public static String clean(String caption) {
        return afterTextFixes(TextFixes.fixText(caption));
    }

    /** The steps after ftfy's: the rest of OpenAI's {@code basic_clean}, {@code whitespace_clean}, lower case. */
    static String afterTextFixes(String text) {
        String unescaped = PythonHtml.unescape(PythonHtml.unescape(text));
        return PythonCase.lower(collapseWhitespace(strip(unescaped)));
    }

    /**
     * OpenAI's {@code whitespace_clean}: {@code regex.sub(r'\s+', ' ', text).strip()}. The
     * {@code regex} module's {@code \s} is Unicode's White_Space, while {@code str.strip} also
     * trims the information separators U+001C to U+001F, which Python counts as space.
     */
    static String collapseWhitespace(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean inRun = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (isWhiteSpace(c)) {
                if (!inRun) {
                    out.append(' ');
                }
                inRun = true;
            } else {
                out.appendCodePoint(c);
                inRun = false;
            }
            i += Character.charCount(c);
        }
        return strip(out.toString());
    }

    /** Python's {@code str.strip()}: trims what {@code str.isspace} calls space. */
    static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isPythonSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    /** Unicode's White_Space property, the {@code regex} module's {@code \s}; all in the BMP. */
    static boolean isWhiteSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /** {@code str.isspace()}: White_Space and the information separators U+001C to U+001F. */
    static boolean isPythonSpace(int c) {
        return isWhiteSpace(c) || (c >= 0x1C && c <= 0x1F);
    }
}

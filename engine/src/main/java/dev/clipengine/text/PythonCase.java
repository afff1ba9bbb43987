package dev.clipengine.text;

/**
 * Python's {@code str.lower}, which OpenAI's tokenizer applies after cleaning. Java's
 * {@code toLowerCase(Locale.ROOT)} agrees on every character but one context: Java decides
 * whether a capital sigma ends a word by word boundaries, so {@code ΑΣ-Β} keeps {@code σ}, where
 * Python follows the Unicode standard's Final_Sigma rule and writes {@code ς}. This follows
 * Python: each character's full lower-case mapping ({@code İ} becomes {@code i} and a combining
 * dot), and {@code Σ} becomes {@code ς} when a cased letter comes before it and none after it,
 * skipping case-ignorable characters both ways.
 */
public final class PythonCase {

    private static final int CAPITAL_SIGMA = 0x03A3;
    private static final int FINAL_SIGMA = 0x03C2;
    private static final int SMALL_SIGMA = 0x03C3;
    private static final int CAPITAL_I_WITH_DOT = 0x0130;

    private PythonCase() {
    }

    public static String lower(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (c == CAPITAL_SIGMA) {
                out.appendCodePoint(isFinalSigma(text, i) ? FINAL_SIGMA : SMALL_SIGMA);
            } else if (c == CAPITAL_I_WITH_DOT) {
                // the one unconditional full mapping that is not the simple one
                out.append("i\u0307");
            } else {
                out.appendCodePoint(Character.toLowerCase(c));
            }
            i += Character.charCount(c);
        }
        return out.toString();
    }

    /** CPython's {@code handle_capital_sigma}, for the sigma at {@code index}. */
    private static boolean isFinalSigma(String text, int index) {
        int before = index;
        int c = 0;
        while (before > 0) {
            c = text.codePointBefore(before);
            before -= Character.charCount(c);
            if (!isCaseIgnorable(c)) {
                break;
            }
            c = 0;
        }
        if (c == 0 || !isCased(c)) {
            return false;
        }
        for (int after = index + 1; after < text.length(); ) {
            c = text.codePointAt(after);
            if (!isCaseIgnorable(c)) {
                return !isCased(c);
            }
            after += Character.charCount(c);
        }
        return true;
    }

    /** Unicode's Cased: lower case, upper case or title case. */
    static boolean isCased(int c) {
        return Character.isLowerCase(c) || Character.isUpperCase(c) || Character.isTitleCase(c);
    }

    /**
     * Unicode's Case_Ignorable: marks, format characters, modifier letters and symbols, and the
     * characters word breaking lets stand inside a word (apostrophes, periods, colons).
     */
    static boolean isCaseIgnorable(int c) {
        switch (Character.getType(c)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.MODIFIER_LETTER,
                 Character.MODIFIER_SYMBOL -> {
                return true;
            }
            default -> {
                return switch (c) {
                    // Word_Break MidLetter, MidNumLet and Single_Quote
                    case 0x0027, 0x002E, 0x003A, 0x00B7, 0x0387, 0x055F, 0x05F4, 0x2018, 0x2019, 0x2024, 0x2027,
                         0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A -> true;
                    default -> false;
                };
            }
        }
    }
}

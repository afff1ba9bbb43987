package dev.clipengine.text;

/**
 * OpenAI's {@code bytes_to_unicode}: each of the 256 byte values stands for one printable
 * character in the vocabulary, so that merges can be written as text. The printable bytes of
 * Latin-1 stand for themselves; the other 68 (controls, space, DEL, no-break space, soft hyphen)
 * for U+0100 onwards, in byte order.
 */
final class ByteSymbols {

    /** {@code SYMBOL[b]}: the character byte {@code b} stands for. */
    private static final char[] SYMBOL = new char[256];

    /**
     * The bytes in the order of the vocabulary's first 256 ids (and again, with {@code </w>}, of
     * the next 256): the printable bytes, then the rest.
     */
    private static final int[] VOCABULARY_ORDER = new int[256];

    static {
        int next = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintable(b)) {
                SYMBOL[b] = (char) b;
                VOCABULARY_ORDER[next++] = b;
            }
        }
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!isPrintable(b)) {
                SYMBOL[b] = (char) (256 + extra++);
                VOCABULARY_ORDER[next++] = b;
            }
        }
    }

    private ByteSymbols() {
    }

    /** {@code !} to {@code ~}, {@code ¡} to {@code ¬}, {@code ®} to {@code ÿ}. */
    private static boolean isPrintable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    static char symbol(int b) {
        return SYMBOL[b];
    }

    /** The byte whose symbol has vocabulary id {@code index} (0 to 255). */
    static int byteAt(int index) {
        return VOCABULARY_ORDER[index];
    }
}

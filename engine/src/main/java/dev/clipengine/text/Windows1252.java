package dev.clipengine.text;

/**
 * What the C1 control characters U+0080 to U+009F stand for when text that was Windows-1252 was
 * read as Latin-1: the HTML5 standard's table, which both Python's {@code html.unescape} (for
 * {@code &#128;} to {@code &#159;}) and ftfy's {@code fix_c1_controls} (its "sloppy" Windows-1252)
 * use. The five bytes Windows-1252 leaves undefined stand for themselves.
 */
final class Windows1252 {

    /** Index {@code c - 0x80}: the character C1 control {@code c} stands for. */
    static final char[] C1 = {
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    };

    private Windows1252() {
    }
}

package dev.clipengine.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Each expected value is what Python 3.11's {@code html.unescape} returns for the input. */
class PythonHtmlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // named: with and without the semicolon, and the longest name-without-semicolon prefix
        "&amp;amp;                          | &amp;",
        "&ampx                              | &x",
        "&amp                               | &",
        "&notit;                            | \u00acit;",
        "&notin;                            | \u2209",
        "&not                               | \u00ac",
        "&copy2023                          | \u00a92023",
        "&Eacute;t&eacute;                  | \u00c9t\u00e9",
        "&lt;&lt;&LT                        | <<<",
        "&ampé                              | &é",
        // a name's text of two characters, and a name longer than the 32 characters Python reads
        "&acE;                              | \u223e\u0333",
        "&fjlig;                            | fj",
        "&CounterClockwiseContourIntegral;  | \u2233",
        "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; | &aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;",
        // what is not a reference stays
        "&EACUTE;                           | &EACUTE;",
        "&x;                                | &x;",
        "&zwnj&zwj;                         | &zwnj\u200d",
        "`& amp;`                           | `& amp;`",
        "&#x                                | &#x",
        "&#;                                | &#;",
        // numeric: Windows-1252 for C1, U+FFFD for NUL, surrogates and beyond U+10FFFF, nothing for
        // the other invalid code points, leading zeros and a missing semicolon accepted
        "&#x80;                             | \u20ac",
        "&#128;                             | \u20ac",
        "&#x81;                             | \u0081",
        "&#x9F;                             | \u0178",
        "&#0;                               | \ufffd",
        "&#xD800;                           | \ufffd",
        "&#1114112;                         | \ufffd",
        "&#99999999999999999999;            | \ufffd",
        "&#x10FFFF;                         | ``",
        "&#x1FFFE;                          | ``",
        "&#xFDD0;                           | ``",
        "&#1;                               | ``",
        "&#11;                              | ``",
        "&#x7f;                             | ``",
        "&#x1F600;                          | \ud83d\ude00",
        "&#0000000065;                      | A",
        "&#65                               | A",
        "&#x41                              | A",
    })
    void unescapesAsPython(String input, String python) {
        assertEquals(python, PythonHtml.unescape(input));
    }

    @Test
    void keepsTheCharactersPythonKeepsThatCsvCannotHold() {
        assertEquals("\r", PythonHtml.unescape("&#13;"));
        assertEquals("\tx\n", PythonHtml.unescape("&Tab;x&NewLine;"));
        assertEquals("\u205f\u200a", PythonHtml.unescape("&ThickSpace;"));
        assertEquals("<\ud83d\ude00", PythonHtml.unescape("&lt\ud83d\ude00"));
        assertEquals("&", PythonHtml.unescape("&"));
        assertEquals("\u00a0x", PythonHtml.unescape("&nbspx"));
    }

    @Test
    void returnsTextWithoutAmpersandAsItIs() {
        String text = "no references here";
        assertSame(text, PythonHtml.unescape(text));
    }

    @Test
    void twiceDecodesTwoLevels() {
        assertEquals("<", PythonHtml.unescape(PythonHtml.unescape("&amp;lt;")));
        assertEquals("&lt;", PythonHtml.unescape(PythonHtml.unescape("&amp;amp;lt;")));
    }
}

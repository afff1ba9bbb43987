package dev.clipengine.text;

import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Expected values are Python 3.11's ({@code str.lower}, {@code str.strip}, the regex module's {@code \s}). */
class ClipTextCleanerTest {

    @Test
    void collapsesWhiteSpaceAsTheRegexModuleSeesIt() {
        assertEquals("a \u001c b c \u200bd",
                ClipTextCleaner.collapseWhitespace("a \u001c b\u3000\u00a0c\u2028\u200bd"));
        assertEquals("a b",
                ClipTextCleaner.collapseWhitespace("\u2029a\t\n\u000b\u000c\r\u0085\u1680\u2000\u200a\u202f\u205fb "));
    }

    @Test
    void stripsWhatPythonCallsSpace() {
        // str.isspace() holds for the information separators, which \s does not match
        assertEquals("a\u001cb", ClipTextCleaner.strip("\u001c\u001d a\u001cb \u001e\u001f"));
        assertEquals("\u200ba", ClipTextCleaner.strip("\u3000\u200ba\u00a0"));
    }

    @Test
    void lowersAsPythonIncludingFinalSigma() {
        assertEquals("i\u0307stanbul", PythonCase.lower("\u0130STANBUL"));
        assertEquals("\u03bf\u03b4\u03bf\u03c2 \u03b1\u03c2-\u03b2",
                PythonCase.lower("\u039f\u0394\u039f\u03a3 \u0391\u03a3-\u0392"));
        assertEquals("\u03c3", PythonCase.lower("\u03a3"));
        assertEquals("\u03c3\u03b1", PythonCase.lower("\u03a3\u0391"));
        assertEquals(".\u03c3", PythonCase.lower(".\u03a3"));
        // case-ignorable characters are skipped both ways: the apostrophe, a combining accent, a period
        assertEquals("\u03b1\u03c3'\u03c2", PythonCase.lower("\u0391\u03a3'\u03a3"));
        assertEquals("\u03b1\u0301\u03c2", PythonCase.lower("\u0391\u0301\u03a3"));
        assertEquals("\u03b1\u03c2\u0301", PythonCase.lower("\u0391\u03a3\u0301"));
        assertEquals("\u03b1.\u03c2", PythonCase.lower("\u0391.\u03a3"));
        assertEquals("\u03b1\u03c21", PythonCase.lower("\u0391\u03a31"));
        assertEquals("\u00df \u01c6 \u01c6 k \u03c9 \u00e5",
                PythonCase.lower("\u1e9e \u01c4 \u01c5 \u212a \u2126 \u212b"));
        assertEquals("\ud801\udc28", PythonCase.lower("\ud801\udc00"));
    }

    @Test
    void differsFromJavaWhereJavaDiffersFromPython() {
        // the reason PythonCase exists: Java reads this sigma as inside a word
        String text = "\u0391\u03a3-\u0392";
        assertNotEquals(text.toLowerCase(Locale.ROOT), PythonCase.lower(text));
    }

    @Test
    void cleansInOpenAisOrder() {
        // ftfy decodes every level (no tag in the line), then html.unescape finds nothing left
        assertEquals("<b> & \"q\"", ClipTextCleaner.clean("  &amp;lt;B&amp;gt; &amp;amp; \u201cQ\u201d  "));
        // a tag in the line stops ftfy's decoding: html.unescape then decodes two levels only
        assertEquals("<i> &amp;", ClipTextCleaner.clean("<I> &amp;amp;amp;"));
        // html.unescape's output is not fixed again: its curly quote stays, though ftfy straightens one typed
        assertEquals("<p>\u2019 '", ClipTextCleaner.clean("<p>&rsquo; \u2019"));
        // white space that html.unescape makes is collapsed, then everything is lower-cased
        assertEquals("a b", ClipTextCleaner.clean("A&nbsp;&Tab;B&NewLine;"));
        assertEquals("fi \u00e9t\u00e9 ab", ClipTextCleaner.clean(" \ufb01\u3000\u00c9T\u00c9 \uff21\uff22 "));
        assertEquals("", ClipTextCleaner.clean(" \u0000\t\n "));
    }
}

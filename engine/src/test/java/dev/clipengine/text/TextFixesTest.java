package dev.clipengine.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ftfy's fixes as its source (6.3) defines them; examples marked "ftfy's doc" are the doctests
 * of its functions. ftfy itself cannot run here, so the rest follow its tables.
 */
class TextFixesTest {

    @Test
    void unescapesHtmlAsFtfyDoes() {
        // ftfy's doc
        assertEquals("<tag>", TextFixes.unescapeHtml("&lt;tag&gt;"));
        assertEquals("\ud835\udca5ohn \u210bancock", TextFixes.unescapeHtml("&Jscr;ohn &HilbertSpace;ancock"));
        assertEquals("\u2713", TextFixes.unescapeHtml("&checkmark;"));
        assertEquals("P\u00e9rez", TextFixes.unescapeHtml("P&eacute;rez"));
        assertEquals("P\u00c9REZ", TextFixes.unescapeHtml("P&EACUTE;REZ"));
        assertEquals("BUNDESSTRASSE", TextFixes.unescapeHtml("BUNDESSTRA&SZLIG;E"));
        assertEquals("\u00f1 \u00d1 \u00d1 &nTILDE;", TextFixes.unescapeHtml("&ntilde; &Ntilde; &NTILDE; &nTILDE;"));
        // unlike Python's html.unescape: a semicolon is needed, and no prefix of a name is taken
        assertEquals("&amp &copy2023 &notit;", TextFixes.unescapeHtml("&amp &copy2023 &notit;"));
        // numeric references through Python's rules, unless Python would leave the semicolon
        assertEquals("A A \ufffd \u20ac", TextFixes.unescapeHtml("&#x41; &#65; &#xD800; &#x80;"));
        assertEquals("ab", TextFixes.unescapeHtml("a&#1;b"));
        assertEquals("&#abc; &#xyz;", TextFixes.unescapeHtml("&#abc; &#xyz;"));
        // names of more than 24 characters are beyond ftfy's pattern
        assertEquals("&CounterClockwiseContourIntegral;",
                TextFixes.unescapeHtml("&CounterClockwiseContourIntegral;"));
    }

    @Test
    void decodesHtmlUntilNothingChangesUnlessALineHoldsATag() {
        assertEquals("<b>", TextFixes.fixText("&lt;b&gt;"));
        assertEquals("&", TextFixes.fixText("&amp;amp;amp;amp;"));
        assertEquals("<b>&amp;</b>", TextFixes.fixText("<b>&amp;</b>"));
        // the decision is taken line by line, and a line with a tag turns decoding off for good
        assertEquals("a & b\n<i>&amp;\n&amp;", TextFixes.fixText("a &amp; b\n<i>&amp;\n&amp;"));
    }

    @Test
    void fixesALongLineInMillionCharacterPieces() {
        String first = "&amp;" + "x".repeat(TextFixes.MAX_SEGMENT_CODE_POINTS - 5);
        // the tag in the second piece does not stop the first from being decoded
        assertEquals("&" + first.substring(5) + "<&amp;", TextFixes.fixText(first + "<&amp;"));
    }

    @Test
    void readsC1ControlsAsWindows1252() {
        assertEquals("\u20ac\u0081\u201a\u0192\u2026\u2122\u0178",
                TextFixes.fixC1Controls("\u0080\u0081\u0082\u0083\u0085\u0099\u009f"));
        // before line breaks are fixed, so NEL becomes an ellipsis rather than a line feed
        assertEquals("a\u2026b", TextFixes.fixText("a\u0085b"));
    }

    @Test
    void takesLatinLigaturesApart() {
        // ftfy's doc
        assertEquals("fluffiest", TextFixes.fixLatinLigatures("\ufb02u\ufb03e\ufb06"));
        assertEquals("IJij DZDzdz D\u017dD\u017ed\u017e LJLjlj NJNjnj \u02bcn ff fi \u017ft",
                TextFixes.fixLatinLigatures("\u0132\u0133 \u01f1\u01f2\u01f3 \u01c4\u01c5\u01c6 \u01c7\u01c8\u01c9 "
                        + "\u01ca\u01cb\u01cc \u0149 \ufb00 \ufb01 \ufb05"));
        // ligatures ftfy leaves: æ, œ, and those of other scripts
        assertEquals("\u00e6\u0153\ufb13", TextFixes.fixLatinLigatures("\u00e6\u0153\ufb13"));
        // the Afrikaans apostrophe is then straightened
        assertEquals("'n", TextFixes.fixText("\u0149"));
    }

    @Test
    void makesFullAndHalfWidthFormsNormal() {
        // ftfy's doc
        assertEquals("LOUD NOISES",
                TextFixes.fixCharacterWidth("\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33"));
        assertEquals("U\u30bf\u30fc\u30f3", TextFixes.fixCharacterWidth("\uff35\uff80\uff70\uff9d"));
        assertEquals("\u00a2 \u0304!~", TextFixes.fixCharacterWidth("\uffe0\uffe3\uff01\uff5e"));
        // outside the block nothing changes, though NFKC would change it
        assertEquals("\u00b2\u2460\ufb01", TextFixes.fixCharacterWidth("\u00b2\u2460\ufb01"));
        // half-width ha and its sound mark become one character once NFC follows
        assertEquals("\u30d1", TextFixes.fixText("\uff8a\uff9f"));
    }

    @Test
    void straightensCurlyQuotes() {
        // ftfy's doc
        assertEquals("\"here's a test\"", TextFixes.uncurlQuotes("\u201chere\u2019s a test\u201d"));
        assertEquals("'''''\"\"\"\"", TextFixes.uncurlQuotes("\u02bc\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f"));
        // guillemets and primes are not quotes to ftfy
        assertEquals("\u00ab\u00bb\u2032\u2033\u2039", TextFixes.uncurlQuotes("\u00ab\u00bb\u2032\u2033\u2039"));
    }

    @Test
    void makesLineBreaksLineFeeds() {
        assertEquals("a\nb\nc\nd\ne\nf", TextFixes.fixLineBreaks("a\r\nb\rc\u2028d\u2029e\u0085f"));
    }

    @Test
    void replacesLoneSurrogatesOnly() {
        assertEquals("a\ufffdb\ufffd\ud83d\ude00", TextFixes.fixSurrogates("a\ud800b\udc00\ud83d\ude00"));
    }

    @Test
    void removesTerminalEscapes() {
        // ftfy's doc
        assertEquals("I'm blue, da ba dee da ba doo...",
                TextFixes.removeTerminalEscapes("\u001b[36;44mI'm blue, da ba dee da ba doo...\u001b[0m"));
        // Python's \d takes any decimal digit
        assertEquals("x", TextFixes.removeTerminalEscapes("\u001b[\u0663;1mx"));
        // not a CSI sequence: only the escape character goes, as a control character
        assertEquals("]0;title", TextFixes.fixText("\u001b]0;title"));
    }

    @Test
    void removesTheControlCharactersFtfyRemoves() {
        assertEquals("ab", TextFixes.removeControlChars("\u0000a\u0001\u0008\u000b\u000e\u001c\u001f\u007fb"));
        assertEquals("", TextFixes.removeControlChars("\u206a\u206f\ufeff\ufff9\ufffa\ufffb\ufffc"));
        // kept: white space controls, C1, joiners and direction marks, U+FFFD, musical and tag controls
        String kept = "\t\n\f\r\u0080\u200b\u200c\u200d\u200e\u202e\u2060\ufffd\ud834\udd73\udb40\udc01";
        assertEquals(kept, TextFixes.removeControlChars(kept));
    }

    @Test
    void composesAfterRemoving() {
        assertEquals("\u00e9", TextFixes.fixText("e\u0000\u0301"));
        assertEquals("\u00c5", TextFixes.fixText("A\u030a"));
    }

    @Test
    void leavesMojibakeAsItIs() {
        assertEquals("caf\u00c3\u00a9", TextFixes.fixText("caf\u00c3\u00a9"));
        // ftfy would read "ã\x83\x84" as the UTF-8 of ツ; here the C1 controls are read as
        // Windows-1252, and the low double quote that gives is then straightened
        assertEquals("\u00af\\_(\u00e3\u0192\")_/\u00af", TextFixes.fixText("&macr;\\_(\u00e3\u0083\u0084)_/&macr;"));
    }

    @Test
    void fixesTheExampleOfFtfysReadme() {
        assertEquals("Broken text\u2026 it's flubberific!",
                TextFixes.fixText("Broken text&hellip; it&#x2019;s \ufb02ubberi\ufb01c!"));
    }

    @Test
    void leavesCleanTextAsItIs() {
        String text = "a photo of a cat, 3 dogs & 2 birds; caf\u00e9 \u6771\u4eac \ud83d\ude00";
        assertEquals(text, TextFixes.fixText(text));
        assertEquals("", TextFixes.fixText(""));
    }
}

"""Writes fixtures/clip-bpe-cases/cases.json: captions and the ids OpenAI's own tokenizer gives them.

The captions are hand-picked hard cases (HTML references, white space, case, contractions, special
token text, scripts, emoji, digits) and a few hundred random ones built from the same pieces, from a
fixed seed. The ids come from OpenAI CLIP's clip/simple_tokenizer.py, imported from the folder
given, with ftfy.fix_text replaced by the identity whether or not ftfy is installed: the cases
check everything after ftfy (Python's html.unescape, the regex module's white space and
pre-tokenizer, str.lower, the merges), and clip-engine's tests check its ftfy steps apart.

Needs the `regex` module (Debian: python3-regex). Run from the repository root:

    python3 tools/clip-text/make_reference_cases.py PATH/TO/CLIP/clip

where PATH/TO/CLIP is a checkout of github.com/openai/CLIP (its clip/ folder holds
simple_tokenizer.py and bpe_simple_vocab_16e6.txt.gz).
"""
import json
import os
import random
import sys
import types

OUT = os.path.join("fixtures", "clip-bpe-cases", "cases.json")

HAND_PICKED = [
    # Python's html.unescape, applied twice
    "&amp;amp; &amp;amp;amp; &ampx &amp &notit; &notin; &not;x &copy2023 &COPY; &Eacute;t&eacute;",
    "&#x80; &#128; &#0; &#xD800; &#1114112; &#x110000; &#1; &#13; &#x1F600; &#0000065; &#x00041;",
    "&lt;|endoftext|&gt; &LT;b&GT; &nbsp;a&NonBreakingSpace;b &Tab;c&NewLine;d &ThickSpace;e",
    "&CounterClockwiseContourIntegral; &fjlig; &NotEqualTilde; &acE; &bne; &x; &; & ;",
    "&#65 &#x41 &#x &# &#; &amp;#65; &amp;lt;p&amp;gt; &AMP;&AMP &quot;&apos;",
    # white space: the regex module's \s is White_Space; str.strip also takes U+001C-U+001F
    "a\u3000b\u00a0c\u2028d\u2029e\u0085f\u1680g\u2007h\u202fi\u205fj\u200bk\u180el",
    "\x1c\x1d lead and trail \x1e\x1f",
    "inner\x1cseparator and \x0b vertical \x0c feed\r\nwindows\rmac",
    " \t\n ",
    "",
    # str.lower
    "İSTANBUL ΟΔΟΣ ΑΣ-Β Σ ΑΣ'Σ ΑΣ1 Α\u0301Σ ẞ Ǆ ǅ \u212a \u2126 Å",
    "\u017f \u017ft it'\u017f <|\u017ftartoftext|> x\u0345y \u0345 \u03b1\u0345",
    # the pre-tokenizer
    "it's we're they've I'm you'll he'd don't 'S 'LL 'D isn't'll ''s",
    "<|startoftext|><|endoftext|> a<|endoftext|>b <|ENDOFTEXT|> <|endoftext| |endoftext|>",
    "e-mail state-of-the-art 3.14 1,000 ½ ² Ⅻ ٣٤ ൯ 𝟙 ① ⅞",
    "!!! ?!?! ... -- (( )) [[x]] {y} @#$%^&*_+=~`|\\/<>",
    "naïve café résumé façade Ünïcödé Ø ß œ æ ð þ",
    "東京 北京 ひらがな カタカナ 한국어 ภาษาไทย हिन्दी العربية עברית Ελληνικά русский",
    "😀 👍🏽 👨‍👩‍👧 🇫🇷 ❤️ 🏳️‍🌈 ☃ ✓ ™ © ® € £ ¥",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa zzzzzzzzzzzzzzzzz xxyxxyxxyxxy",
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic",
    "A PHOTO OF A DOG. A Photo Of A Cat! a photo of a bird?",
    "\u00e9 e\u0301 \u1e9b\u0323 \u0041\u030a \u212b",
    "tab\tseparated\tvalues and\ttrailing\t",
]

WORDS = ("a photo of the cat dog bird car tree house red green blue small large running on in at with and "
         "beautiful sunset over mountains people walking street city night view close-up portrait painting "
         "drawing sketch illustration logo icon vintage modern black white colorful bright dark").split()

PIECES = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "<|startoftext|>", "<|endoftext|>", "&amp;", "&lt;",
          "&gt;", "&quot;", "&#39;", "&nbsp;", "&copy", "&eacute;", "&#x263A;", "...", "!", "?", ",", ".", "-",
          "(", ")", "\"", ":", ";", "/", "#", "@", "%", "\t", "\n", "  ", "\u3000", "\u00a0"]

# blocks unchanged for many Unicode versions, so Python 3.11's tables and Java's agree on them
BLOCKS = [(0x20, 0x7e), (0xa1, 0x17f), (0x370, 0x3ff), (0x400, 0x4ff), (0x590, 0x5ff), (0x600, 0x6ff),
          (0x900, 0x97f), (0xe00, 0xe7f), (0x3040, 0x30ff), (0x4e00, 0x4fff), (0xac00, 0xad00),
          (0x2000, 0x206f), (0x2190, 0x22ff), (0x2500, 0x25ff), (0x1f300, 0x1f64f), (0x300, 0x36f)]


def random_caption(rng):
    parts = []
    for _ in range(rng.randint(1, 14)):
        kind = rng.random()
        if kind < 0.55:
            word = rng.choice(WORDS)
            parts.append(word.upper() if rng.random() < 0.1 else word.capitalize() if rng.random() < 0.2 else word)
        elif kind < 0.75:
            parts.append(rng.choice(PIECES))
        elif kind < 0.85:
            parts.append(str(rng.randint(0, 10 ** rng.randint(1, 8))))
        else:
            low, high = rng.choice(BLOCKS)
            parts.append("".join(chr(rng.randint(low, high)) for _ in range(rng.randint(1, 6))))
        parts.append(rng.choice([" ", " ", " ", "", "  ", "-", "\t"]))
    return "".join(parts)


def load_tokenizer(clip_folder):
    # the identity for ftfy: the cases check what comes after it
    sys.modules["ftfy"] = types.SimpleNamespace(fix_text=lambda text, *args, **kwargs: text)
    sys.path.insert(0, clip_folder)
    import simple_tokenizer
    return simple_tokenizer.SimpleTokenizer()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tokenizer = load_tokenizer(os.path.abspath(sys.argv[1]))
    rng = random.Random(20240607)
    captions = HAND_PICKED + [random_caption(rng) for _ in range(400)]
    cases = [{"text": c, "ids": [49406] + tokenizer.encode(c) + [49407]} for c in captions]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as out:
        json.dump({"made_by": "tools/clip-text/make_reference_cases.py, Python " + sys.version.split()[0]
                   + ", regex " + __import__("regex").__version__ + ", ftfy as the identity",
                   "cases": cases}, out, ensure_ascii=True, indent=0)
        out.write("\n")
    print(OUT, len(cases), "cases")

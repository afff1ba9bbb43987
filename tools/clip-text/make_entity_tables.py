"""Writes the HTML entity tables that clip-engine's CLIP text cleaner reads (dev.clipengine.text).

Makes, in engine/src/main/resources/dev/clipengine/text/:

  html5-entities.tsv            Python's html.entities.html5: every name html.unescape knows, with
                                and without the semicolon, and the text it stands for
  ftfy-uppercase-entities.tsv   the all-capitals names that ftfy's unescape_html decodes besides
                                (&EACUTE; -> the upper case of &eacute;), as ftfy 6 builds them

One line per name: the name, a tab, then the code points of its text in hexadecimal, separated by
spaces. Lines starting with # are comments. Run from the repository root with the Python whose
html module the tokenizer should agree with:

    python3 tools/clip-text/make_entity_tables.py
"""
import html
import html.entities
import os
import sys

OUT = os.path.join("engine", "src", "main", "resources", "dev", "clipengine", "text")


def line(name, text):
    return name + "\t" + " ".join("%x" % ord(c) for c in text) + "\n"


def write(path, comment, entries):
    with open(path, "w", encoding="ascii", newline="\n") as out:
        for c in comment:
            out.write("# " + c + "\n")
        for name, text in entries:
            out.write(line(name, text))
    print(path, len(entries), "names")


def ftfy_uppercase(table):
    """ftfy's chardata._build_html_entities adds, for each all-lower-case name with a semicolon,
    its upper-case spelling when html.unescape leaves that spelling alone."""
    for name, text in table.items():
        if name.endswith(";") and name == name.lower():
            upper = "&" + name.upper()
            if html.unescape(upper) == upper:
                yield name.upper(), text.upper()


if __name__ == "__main__":
    if not os.path.isdir(OUT):
        sys.exit("run from the repository root: " + OUT + " is not there")
    made_by = "made by tools/clip-text/make_entity_tables.py with Python " + sys.version.split()[0]
    table = html.entities.html5
    write(os.path.join(OUT, "html5-entities.tsv"),
          ["Python's html.entities.html5: name, tab, code points (hex) of its text", made_by],
          sorted(table.items()))
    write(os.path.join(OUT, "ftfy-uppercase-entities.tsv"),
          ["ftfy's extra all-capitals entity names: name, tab, code points (hex) of its text", made_by],
          sorted(ftfy_uppercase(table)))

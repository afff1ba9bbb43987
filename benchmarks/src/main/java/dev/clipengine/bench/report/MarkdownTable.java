package dev.clipengine.bench.report;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table: words in the leading columns, left-aligned; figures after them, right-aligned. */
final class MarkdownTable {

    private final List<String> headers;
    private final int textColumns;
    private final List<List<String>> rows = new ArrayList<>();

    MarkdownTable(List<String> headers, int textColumns) {
        this.headers = List.copyOf(headers);
        this.textColumns = textColumns;
    }

    void add(List<String> cells) {
        if (cells.size() != headers.size()) {
            throw new IllegalArgumentException(cells.size() + " cells for " + headers.size() + " columns");
        }
        rows.add(List.copyOf(cells));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        line(text, headers);
        text.append("|---".repeat(textColumns));
        text.append("|---:".repeat(headers.size() - textColumns));
        text.append("|\n");
        rows.forEach(row -> line(text, row));
        return text.toString();
    }

    private static void line(StringBuilder text, List<String> cells) {
        text.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
}

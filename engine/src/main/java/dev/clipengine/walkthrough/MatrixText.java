package dev.clipengine.walkthrough;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Labelled matrices as plain text: a title, column labels, then one labelled line per row, the
 * numbers of a column aligned on the decimal point. A number that rounds to an integer at the
 * matrix's precision is written as one, so a hand calculation's 3 reads "3", not "3.0000".
 */
final class MatrixText {

    /** Spaces between blocks set side by side. */
    static final int BLOCK_GAP = 4;
    private static final int COLUMN_GAP = 2;

    private MatrixText() {
    }

    /** The lines of one matrix under its title, all padded to the block's width. */
    static List<String> block(String title, Matrix m, List<String> rowLabels, List<String> colLabels) {
        if (rowLabels.size() != m.rows() || colLabels.size() != m.cols()) {
            throw new IllegalArgumentException(title + ": " + rowLabels.size() + " row and " + colLabels.size()
                    + " column labels for a " + m.rows() + "x" + m.cols() + " matrix");
        }
        int decimals = decimals(m);
        String[][] whole = new String[m.rows()][m.cols()];
        String[][] fraction = new String[m.rows()][m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                String s = number(m.get(r, c), decimals);
                int point = s.indexOf('.');
                whole[r][c] = point < 0 ? s : s.substring(0, point);
                fraction[r][c] = point < 0 ? "" : s.substring(point);
            }
        }
        int labelWidth = rowLabels.stream().mapToInt(String::length).max().orElse(0);
        StringBuilder header = new StringBuilder(" ".repeat(labelWidth));
        List<StringBuilder> rows = new ArrayList<>();
        for (String label : rowLabels) {
            rows.add(new StringBuilder(pad(label, labelWidth, false)));
        }
        for (int c = 0; c < m.cols(); c++) {
            int wholeWidth = 0;
            int fractionWidth = 0;
            for (int r = 0; r < m.rows(); r++) {
                wholeWidth = Math.max(wholeWidth, whole[r][c].length());
                fractionWidth = Math.max(fractionWidth, fraction[r][c].length());
            }
            int width = Math.max(wholeWidth + fractionWidth, colLabels.get(c).length());
            header.append(" ".repeat(COLUMN_GAP)).append(pad(colLabels.get(c), width, true));
            for (int r = 0; r < m.rows(); r++) {
                String cell = pad(whole[r][c], wholeWidth, true) + pad(fraction[r][c], fractionWidth, false);
                rows.get(r).append(" ".repeat(COLUMN_GAP)).append(pad(cell, width, true));
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(title);
        lines.add(header.toString());
        rows.forEach(row -> lines.add(row.toString()));
        int width = lines.stream().mapToInt(String::length).max().orElse(0);
        lines.replaceAll(line -> pad(line, width, false));
        return lines;
    }

    /**
     * Blocks side by side, top-aligned, as many to a band as fit in width; bands are separated by
     * a blank line. Trailing spaces are removed.
     */
    static List<String> flow(List<List<String>> blocks, int width) {
        List<String> lines = new ArrayList<>();
        List<List<String>> band = new ArrayList<>();
        int bandWidth = 0;
        for (List<String> block : blocks) {
            int blockWidth = block.get(0).length();
            if (!band.isEmpty() && bandWidth + BLOCK_GAP + blockWidth > width) {
                appendBand(band, lines);
                band.clear();
            }
            bandWidth = band.isEmpty() ? blockWidth : bandWidth + BLOCK_GAP + blockWidth;
            band.add(block);
        }
        if (!band.isEmpty()) {
            appendBand(band, lines);
        }
        return lines;
    }

    private static void appendBand(List<List<String>> band, List<String> lines) {
        if (!lines.isEmpty()) {
            lines.add("");
        }
        int height = band.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < height; i++) {
            StringBuilder line = new StringBuilder();
            for (List<String> block : band) {
                if (!line.isEmpty()) {
                    line.append(" ".repeat(BLOCK_GAP));
                }
                line.append(i < block.size() ? block.get(i) : " ".repeat(block.get(0).length()));
            }
            lines.add(line.toString().stripTrailing());
        }
    }

    /**
     * Four decimals, or enough for three significant digits of the largest value when all are
     * below 0.1 (small random weights' gradients), at most eight.
     */
    static int decimals(Matrix m) {
        double largest = 0;
        for (float v : m.values()) {
            if (Float.isFinite(v)) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        if (largest == 0 || largest >= 0.1) {
            return 4;
        }
        return (int) Math.min(8, Math.max(4, 2 - Math.floor(Math.log10(largest))));
    }

    /** v with that many decimals, or as an integer when it rounds to one. */
    static String number(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        int point = s.indexOf('.');
        if (point >= 0 && s.substring(point + 1).chars().allMatch(ch -> ch == '0')) {
            s = s.substring(0, point);
        }
        return s.equals("-0") ? "0" : s;
    }

    private static String pad(String s, int width, boolean left) {
        String spaces = " ".repeat(Math.max(0, width - s.length()));
        return left ? spaces + s : s + spaces;
    }
}

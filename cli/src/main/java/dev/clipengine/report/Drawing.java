package dev.clipengine.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** The look shared by every picture: one font family, one title style, white paper. */
final class Drawing {

    static final Color INK = new Color(0x222222);
    static final Color MUTED_INK = new Color(0x555555);
    static final Color RULE = new Color(0xdddddd);
    static final int TITLE_SIZE = 16;
    static final int LABEL_SIZE = 13;
    static final int TICK_SIZE = 11;
    static final int MARGIN = 14;

    private static final String ELLIPSIS = "\u2026";

    private Drawing() {
    }

    /** The logical sans-serif font: Java maps it to whatever sans font the system has. */
    static Font font(int style, float size) {
        return new Font(Font.SANS_SERIF, style, 12).deriveFont(size);
    }

    static Font title() {
        return font(Font.BOLD, TITLE_SIZE);
    }

    /**
     * A white opaque image with its graphics ready to draw: opaque because PNG viewers show
     * transparency as black or a checkerboard, and the hints because the default rendering is
     * aliased.
     */
    static BufferedImage blank(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
        } finally {
            g.dispose();
        }
        return image;
    }

    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(INK);
        return g;
    }

    /** Measures text without an image of the final size, which is not known yet while laying out. */
    static FontMetrics metrics(Font font) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(scratch);
        try {
            return g.getFontMetrics(font);
        } finally {
            g.dispose();
        }
    }

    /** {@code text}, cut short with an ellipsis if it is wider than {@code maxWidth}. */
    static String fit(String text, FontMetrics metrics, int maxWidth) {
        if (metrics.stringWidth(text) <= maxWidth) {
            return text;
        }
        // binary search on the kept prefix: captions can be long and this runs once per label
        int low = 0;
        int high = text.length();
        while (low < high) {
            int middle = (low + high + 1) / 2;
            if (metrics.stringWidth(text.substring(0, middle).stripTrailing() + ELLIPSIS) <= maxWidth) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return low == 0 ? ELLIPSIS : text.substring(0, low).stripTrailing() + ELLIPSIS;
    }

    /**
     * {@code text} broken at spaces into at most {@code maxLines} lines no wider than
     * {@code maxWidth}; null if it does not fit so.
     */
    static List<String> wrap(String text, FontMetrics metrics, int maxWidth, int maxLines) {
        List<String> lines = new ArrayList<>();
        String line = "";
        for (String word : text.split(" ")) {
            String longer = line.isEmpty() ? word : line + " " + word;
            if (metrics.stringWidth(longer) <= maxWidth) {
                line = longer;
            } else if (line.isEmpty() || metrics.stringWidth(word) > maxWidth) {
                return null;
            } else {
                lines.add(line);
                line = word;
            }
        }
        lines.add(line);
        return lines.size() <= maxLines ? lines : null;
    }

    /** Draws {@code text} centred on {@code centreX} with its baseline at {@code baseline}. */
    static void centred(Graphics2D g, String text, double centreX, double baseline) {
        g.drawString(text, (float) (centreX - g.getFontMetrics().stringWidth(text) / 2.0), (float) baseline);
    }

    /** The height a title takes at the top of a picture, margins included; 0 when there is none. */
    static int titleHeight(String title) {
        return title.isBlank() ? MARGIN : MARGIN + metrics(title()).getHeight() + MARGIN / 2;
    }

    /** Draws the title centred at the top of a picture {@code width} wide, shortened to fit. */
    static void drawTitle(Graphics2D g, String title, int width) {
        if (title.isBlank()) {
            return;
        }
        g.setFont(title());
        g.setColor(INK);
        FontMetrics fm = g.getFontMetrics();
        centred(g, fit(title, fm, width - 2 * MARGIN), width / 2.0, MARGIN + fm.getAscent());
    }
}

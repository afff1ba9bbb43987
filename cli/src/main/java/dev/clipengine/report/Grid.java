package dev.clipengine.report;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** Pictures side by side under one title, as a figure with panels. */
final class Grid {

    /** Panels bring their own margins; this only keeps neighbours from touching. */
    private static final int SPACING = 8;

    private Grid() {
    }

    /**
     * Each panel sits centred in a slot as large as the largest panel, so that rows and columns
     * line up whatever the panels' sizes; a last, incomplete row starts at the left.
     */
    static BufferedImage compose(String title, List<BufferedImage> panels, int columns) {
        int across = Math.min(columns, panels.size());
        int down = Math.ceilDiv(panels.size(), across);
        int slotWidth = panels.stream().mapToInt(BufferedImage::getWidth).max().orElseThrow();
        int slotHeight = panels.stream().mapToInt(BufferedImage::getHeight).max().orElseThrow();
        int top = Drawing.titleHeight(title);
        int width = 2 * SPACING + across * slotWidth + (across - 1) * SPACING;
        int height = top + down * slotHeight + (down - 1) * SPACING + SPACING;

        BufferedImage image = Drawing.blank(width, height);
        Graphics2D g = Drawing.graphics(image);
        try {
            Drawing.drawTitle(g, title, width);
            for (int i = 0; i < panels.size(); i++) {
                BufferedImage panel = panels.get(i);
                int x = SPACING + (i % across) * (slotWidth + SPACING) + (slotWidth - panel.getWidth()) / 2;
                int y = top + (i / across) * (slotHeight + SPACING) + (slotHeight - panel.getHeight()) / 2;
                g.drawImage(panel, x, y, null);
            }
        } finally {
            g.dispose();
        }
        return image;
    }
}

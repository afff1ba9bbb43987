package dev.clipengine.report;

import java.awt.Color;

/**
 * Colour maps for heatmaps and the qualitative colours of line series. The anchors are the
 * published ones of ColorBrewer's YlGnBu and RdBu: both read in grey scale and to colour-blind
 * eyes, which rainbow maps do not.
 */
enum Palette {
    /**
     * Near white (low) through green to dark blue (high): similarities, probabilities, counts. Light
     * at the low end so that the few non-zero cells of a sparse confusion matrix stand out from the
     * page, where a dark-based map such as viridis hides them among the zeros.
     */
    SEQUENTIAL(0xffffd9, 0xedf8b1, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x1d91c0, 0x225ea8, 0x253494, 0x081d58),
    /** Blue (negative), near white (zero), red (positive): signed values such as gradients. */
    DIVERGING(0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b);

    /** Tableau 10: distinct at a glance and still distinct when printed in grey. */
    private static final int[] SERIES = {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

    private final int[] anchors;

    Palette(int... anchors) {
        this.anchors = anchors;
    }

    /** The colour at {@code t} in [0, 1], interpolated between the anchors; t outside is clamped. */
    Color at(double t) {
        double clamped = Double.isNaN(t) ? 0 : Math.clamp(t, 0.0, 1.0);
        double position = clamped * (anchors.length - 1);
        int low = Math.min((int) position, anchors.length - 2);
        double f = position - low;
        int a = anchors[low];
        int b = anchors[low + 1];
        return new Color(mix(a >> 16, b >> 16, f), mix(a >> 8, b >> 8, f), mix(a, b, f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
    }

    /** The colour of the {@code index}-th line of a chart; colours repeat after ten lines. */
    static Color series(int index) {
        return new Color(SERIES[Math.floorMod(index, SERIES.length)]);
    }

    /** The colour a line of {@code colour} would have at {@code opacity} over a white page. */
    static Color faded(Color colour, double opacity) {
        int white = 255;
        return new Color(
                (int) Math.round(colour.getRed() * opacity + white * (1 - opacity)),
                (int) Math.round(colour.getGreen() * opacity + white * (1 - opacity)),
                (int) Math.round(colour.getBlue() * opacity + white * (1 - opacity)));
    }

    /** Black or white, whichever reads better on {@code background} (WCAG relative luminance). */
    static Color textOn(Color background) {
        double luminance = 0.2126 * linear(background.getRed()) + 0.7152 * linear(background.getGreen())
                + 0.0722 * linear(background.getBlue());
        // 0.179 is where black and white text have the same contrast ratio
        return luminance > 0.179 ? Color.BLACK : Color.WHITE;
    }

    private static double linear(int channel) {
        double c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
}

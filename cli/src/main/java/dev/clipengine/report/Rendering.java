package dev.clipengine.report;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.function.Supplier;

/**
 * Runs drawing code so that AWT's failures reach callers as one {@link PlotsUnavailableException}.
 * AWT fails with Errors (UnsatisfiedLinkError, InternalError, "no fonts found") and, once its
 * font manager failed to initialise, with NoClassDefFoundError on every later use; a command
 * that only wanted a chart must not die of either.
 */
final class Rendering {

    static {
        preferHeadless();
    }

    private static final Object LOCK = new Object();
    private static boolean checked;
    private static Throwable failure;

    private Rendering() {
    }

    /**
     * Makes AWT headless unless the user chose otherwise: it fixes its mode the first time it
     * loads, and headless never tries to open a display, which a server, a container or an SSH
     * login without X does not have. Pictures here are only ever drawn into images.
     */
    static void preferHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** The result of {@code drawing}, or a PlotsUnavailableException if AWT cannot draw. */
    static <T> T guarded(Supplier<T> drawing) {
        requireAvailable();
        try {
            return drawing.get();
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw e;
        } catch (Error e) {
            throw unavailable(e);
        }
    }

    /**
     * Draws a word once, remembering the outcome: a machine without fonts fails the same way every
     * time, and a class whose initialisation failed would otherwise hide the first, telling error
     * behind NoClassDefFoundError.
     */
    private static void requireAvailable() {
        synchronized (LOCK) {
            if (!checked) {
                failure = probe();
                checked = true;
            }
            if (failure != null) {
                throw unavailable(failure);
            }
        }
    }

    /** Null when AWT draws; else what it threw. */
    private static Throwable probe() {
        try {
            BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            try {
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString("Ag", 0, 12);
                g.getFontMetrics().stringWidth("Ag");
            } finally {
                g.dispose();
            }
            return null;
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw e;
        } catch (Throwable e) {
            // font configuration failures also surface as RuntimeExceptions (a NullPointerException
            // inside sun.awt.FontConfiguration), so here, before any drawing, anything counts
            return e;
        }
    }

    static PlotsUnavailableException unavailable(Throwable cause) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage().lines().findFirst().orElse("");
        return new PlotsUnavailableException("cannot draw pictures: Java's graphics failed (" + reason
                + "); this usually means the system lacks fonts: install fontconfig and a font package"
                + " (e.g. apt-get install fontconfig fonts-dejavu-core)", cause);
    }
}

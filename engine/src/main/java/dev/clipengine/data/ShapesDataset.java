package dev.clipengine.data;

import dev.clipengine.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The built-in dataset: one coloured shape on a dark, sometimes noisy background, with a caption,
 * all generated from a seed so it needs no files and repeats exactly.
 *
 * <p>The models here see a bag of patches and a bag of words: where things are and the order of
 * words are lost. So every attribute is one a bag can tell apart: the colour (the mean colour of
 * the covered patches), the kind of shape (the local pattern of its edges in a patch: straight
 * axis-aligned edges and right-angle corners for a square, curves for a circle, slanted edges for a
 * triangle, thin bars and inner corners for a cross, a thin curved band with background inside for
 * a ring) and the size (small or big: how many patches the shape covers, with areas that do not
 * overlap between the two classes for any shape). Position, exact size within the class, a slight
 * colour jitter and the background are random nuisances.
 *
 * <p>A class is a (size, colour, shape) combination. Two combinations per colour never appear in
 * training: the held-out split is made of them only, so zero-shot accuracy on it measures whether
 * the model composes what it learnt from other combinations. Every colour, shape and size still
 * appears in training with other partners, so each held-out caption uses known words, and each
 * held-out colour-shape pair is trained in its other size. (Holding out colour-shape pairs in both
 * sizes was tried and is too hard for these models: with one linear layer per patch, shape
 * evidence is entangled with colour, and a colour never seen with a shape is read as another shape.)
 */
public final class ShapesDataset {

    public static final String NAME = "shapes";
    public static final int DEFAULT_TRAIN_COUNT = 20_000;
    public static final int DEFAULT_HELD_OUT_COUNT = 1_000;
    /** Below this an image cannot hold a shape at all. */
    public static final int MIN_IMAGE_SIZE = 4;

    private record Colour(String name, int red, int green, int blue) {
    }

    /**
     * Far apart in RGB, so a jitter of {@link #COLOUR_JITTER} never makes one look like another, and
     * at least 20 apart in luminance, so a one-channel model can still mostly tell them apart; the
     * darkest is well above the brightest background.
     */
    private static final List<Colour> COLOURS = List.of(
            new Colour("red", 215, 25, 25),       // luminance 82
            new Colour("orange", 250, 150, 30),   // 166
            new Colour("yellow", 240, 220, 50),   // 207
            new Colour("green", 50, 200, 70),     // 140
            new Colour("blue", 50, 100, 250),     // 102
            new Colour("purple", 175, 80, 235));  // 126

    /**
     * Each kind is described by its horizontal cross-sections: at height dy from its centre (for
     * |dy| <= r, r being its half-extent) it covers {@code hole <= |dx| <= halfWidth}. All kinds are
     * symmetric left to right, and spans make exact horizontal anti-aliasing cheap.
     */
    private enum Shape {
        SQUARE {
            @Override
            double halfWidth(double dy, double r) {
                return r;
            }
        },
        CIRCLE {
            @Override
            double halfWidth(double dy, double r) {
                return Math.sqrt(Math.max(0, r * r - dy * dy));
            }
        },
        /** Apex up, base down, as wide as it is tall. */
        TRIANGLE {
            @Override
            double halfWidth(double dy, double r) {
                return (dy + r) / 2;
            }
        },
        /** A plus sign whose bars are a third of its width. */
        CROSS {
            @Override
            double halfWidth(double dy, double r) {
                return Math.abs(dy) <= r / 3 ? r : r / 3;
            }
        },
        /** A circle's outline, thick enough to survive at small sizes. */
        RING {
            private static final double HOLE = 0.55;

            @Override
            double halfWidth(double dy, double r) {
                return CIRCLE.halfWidth(dy, r);
            }

            @Override
            double holeHalfWidth(double dy, double r) {
                return CIRCLE.halfWidth(dy, HOLE * r);
            }
        };

        abstract double halfWidth(double dy, double r);

        double holeHalfWidth(double dy, double r) {
            return 0;
        }

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Half-extent as a fraction of the image side. Even the smallest big shape (a triangle covers
     * half its box) covers more pixels than the largest small one, so size is a matter of counting.
     */
    private enum Size {
        SMALL("small", 0.15, 0.21),
        BIG("big", 0.32, 0.44);

        final String word;
        final double minFraction;
        final double maxFraction;

        Size(String word, double minFraction, double maxFraction) {
            this.word = word;
            this.minFraction = minFraction;
            this.maxFraction = maxFraction;
        }
    }

    private static final List<Shape> SHAPES = List.of(Shape.values());
    private static final List<Size> SIZES = List.of(Size.values());

    /** The first is the canonical caption used for class names. */
    private static final List<String> TEMPLATES = List.of(
            "a {size} {colour} {shape}",
            "a photo of a {size} {colour} {shape}",
            "{size} {colour} {shape}",
            "there is a {size} {colour} {shape}",
            "a {size} {shape} in {colour}",
            "the {shape} is {colour} and {size}",
            "the {colour} {shape} is {size}",
            "{colour} {shape}, {size}, on a dark background");

    private static final int COLOUR_JITTER = 15;
    private static final int MIN_BACKGROUND = 5;
    private static final int MAX_BACKGROUND = 35;
    /** Sub-rows per pixel row: anti-aliased edges keep curves and slants visible in 4x4 patches. */
    private static final int SUBROWS = 4;

    /** Salts of the two splits' generators: either split can grow without changing the other. */
    private static final long TRAIN_SALT = 1;
    private static final long HELD_OUT_SALT = 2;

    private ShapesDataset() {
    }

    /** The default split sizes. */
    public static PairDataset generate(int imageSize, int channels, long seed) {
        return generate(imageSize, channels, seed, DEFAULT_TRAIN_COUNT, DEFAULT_HELD_OUT_COUNT);
    }

    /**
     * {@code trainCount} pairs of the seen combinations and {@code heldOutCount} of the held-out ones,
     * each pair drawn from its own generator forked from the seed, so the result depends only on the
     * arguments (and generation runs in parallel).
     */
    public static PairDataset generate(int imageSize, int channels, long seed, int trainCount, int heldOutCount) {
        if (imageSize < MIN_IMAGE_SIZE) {
            throw new IllegalArgumentException("shapes need an image size of at least " + MIN_IMAGE_SIZE
                    + ", got " + imageSize);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (trainCount < 0 || heldOutCount < 0) {
            throw new IllegalArgumentException("negative pair count: " + trainCount + ", " + heldOutCount);
        }
        Rng root = new Rng(seed);
        List<Integer> seen = new ArrayList<>();
        List<Integer> unseen = new ArrayList<>();
        for (int label = 0; label < classCount(); label++) {
            (isHeldOut(label) ? unseen : seen).add(label);
        }
        return new PairDataset(NAME,
                pairs(root.fork(TRAIN_SALT), trainCount, seen, imageSize, channels),
                pairs(root.fork(HELD_OUT_SALT), heldOutCount, unseen, imageSize, channels),
                classNames(), classPrompts());
    }

    /** Every template's caption of every class, for zero-shot prompt ensembles; label k is entry k. */
    public static List<List<String>> classPrompts() {
        List<List<String>> prompts = new ArrayList<>();
        for (int label = 0; label < classCount(); label++) {
            int l = label;
            prompts.add(TEMPLATES.stream().map(t -> caption(t, l)).toList());
        }
        return prompts;
    }

    /** The canonical caption of every class, held-out ones included; label k is entry k. */
    public static List<String> classNames() {
        List<String> names = new ArrayList<>();
        for (int label = 0; label < classCount(); label++) {
            names.add(caption(TEMPLATES.getFirst(), label));
        }
        return names;
    }

    public static int classCount() {
        return COLOURS.size() * SHAPES.size() * SIZES.size();
    }

    /**
     * Colour k is held out as a small shape {@code k} and a big shape {@code k + 2} (mod the shape
     * count): 12 of the 60 classes, two per colour with different shapes, so every colour-shape
     * pair keeps at least one size in training and every shape-size keeps at least four colours.
     */
    static boolean isHeldOut(int label) {
        return shapeOf(label) == (colourOf(label) + 2 * sizeOf(label)) % SHAPES.size();
    }

    static int label(int colour, int shape, int size) {
        return (colour * SHAPES.size() + shape) * SIZES.size() + size;
    }

    static int colourOf(int label) {
        return label / (SHAPES.size() * SIZES.size());
    }

    static int shapeOf(int label) {
        return label / SIZES.size() % SHAPES.size();
    }

    static int sizeOf(int label) {
        return label % SIZES.size();
    }

    static List<String> colourWords() {
        return COLOURS.stream().map(Colour::name).toList();
    }

    static List<String> shapeWords() {
        return SHAPES.stream().map(Shape::word).toList();
    }

    private static List<Example> pairs(Rng splitRng, int count, List<Integer> labels, int imageSize, int channels) {
        return IntStream.range(0, count).parallel()
                .mapToObj(i -> {
                    Rng rng = splitRng.fork(i);
                    int label = labels.get(rng.nextInt(labels.size()));
                    String caption = caption(TEMPLATES.get(rng.nextInt(TEMPLATES.size())), label);
                    return new Example(render(rng, label, imageSize, channels), channels, imageSize, caption, label);
                })
                .toList();
    }

    private static String caption(String template, int label) {
        return template.replace("{size}", SIZES.get(sizeOf(label)).word)
                .replace("{colour}", COLOURS.get(colourOf(label)).name())
                .replace("{shape}", SHAPES.get(shapeOf(label)).word());
    }

    /** One image of the label's combination at a random place, in (c, y, x) byte order. */
    private static byte[] render(Rng rng, int label, int imageSize, int channels) {
        Colour colour = COLOURS.get(colourOf(label));
        Shape shape = SHAPES.get(shapeOf(label));
        Size size = SIZES.get(sizeOf(label));

        double r = imageSize * (size.minFraction + rng.nextDouble() * (size.maxFraction - size.minFraction));
        double centreX = r + rng.nextDouble() * (imageSize - 2 * r);
        double centreY = r + rng.nextDouble() * (imageSize - 2 * r);
        int[] fill = {jitter(rng, colour.red()), jitter(rng, colour.green()), jitter(rng, colour.blue())};
        int background = MIN_BACKGROUND + rng.nextInt(MAX_BACKGROUND - MIN_BACKGROUND + 1);
        boolean noisy = rng.nextInt(2) == 0;

        float[] coverage = coverage(shape, centreX, centreY, r, imageSize);
        int plane = imageSize * imageSize;
        byte[] pixels = new byte[channels * plane];
        int[] rgb = new int[3];
        long noiseBits = 0;
        int noiseBitsLeft = 0;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                int grain = 0;
                if (noisy) {
                    // -7..7, peaked at 0: the difference of two 3-bit draws, ten samples per draw
                    if (noiseBitsLeft < 6) {
                        noiseBits = rng.nextLong();
                        noiseBitsLeft = 64;
                    }
                    grain = (int) (noiseBits & 7) - (int) (noiseBits >>> 3 & 7);
                    noiseBits >>>= 6;
                    noiseBitsLeft -= 6;
                }
                rgb[c] = Math.clamp(Math.round(background + coverage[p] * (fill[c] - background)) + grain, 0, 255);
            }
            if (channels == 1) {
                pixels[p] = (byte) ImageLoader.luminance(rgb[0], rgb[1], rgb[2]);
            } else {
                for (int c = 0; c < 3; c++) {
                    pixels[c * plane + p] = (byte) rgb[c];
                }
            }
        }
        return pixels;
    }

    /**
     * Fraction of each pixel the shape covers: exact along each row, averaged over
     * {@link #SUBROWS} rows per pixel.
     */
    private static float[] coverage(Shape shape, double centreX, double centreY, double r, int imageSize) {
        float[] coverage = new float[imageSize * imageSize];
        int fromY = Math.max(0, (int) Math.floor(centreY - r));
        int toY = Math.min(imageSize - 1, (int) Math.ceil(centreY + r));
        for (int y = fromY; y <= toY; y++) {
            for (int sub = 0; sub < SUBROWS; sub++) {
                double dy = y + (sub + 0.5) / SUBROWS - centreY;
                if (Math.abs(dy) <= r) {
                    double outer = shape.halfWidth(dy, r);
                    double hole = shape.holeHalfWidth(dy, r);
                    addSpan(coverage, y * imageSize, imageSize, centreX - outer, centreX - hole);
                    addSpan(coverage, y * imageSize, imageSize, centreX + hole, centreX + outer);
                }
            }
        }
        return coverage;
    }

    /** Adds the overlap of [from, to) with each pixel of the row, for one of its sub-rows. */
    private static void addSpan(float[] coverage, int rowStart, int imageSize, double from, double to) {
        from = Math.max(from, 0);
        to = Math.min(to, imageSize);
        for (int x = (int) from; x < to; x++) {
            double overlap = Math.min(to, x + 1) - Math.max(from, x);
            coverage[rowStart + x] += (float) (overlap / SUBROWS);
        }
    }

    private static int jitter(Rng rng, int value) {
        return Math.clamp(value + rng.nextInt(2 * COLOUR_JITTER + 1) - COLOUR_JITTER, 0, 255);
    }
}

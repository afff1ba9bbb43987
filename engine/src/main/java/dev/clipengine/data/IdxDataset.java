package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.Rng;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Fashion-MNIST and MNIST as image-caption pairs ({@code --data fashion-mnist:DIR},
 * {@code --data mnist:DIR}): the four standard IDX files of a folder, raw or gzip, each image
 * captioned by its class name in a template drawn at random (see {@link EpochCaptions}).
 *
 * <p>Splits follow docs/formats.md: training comes from the {@code train-*} files, less
 * their last {@code valSplit} fraction, which is the validation split for evaluation during
 * training; the {@code t10k-*} files are the test split, kept apart for {@code eval} and the final
 * report and never read to choose anything during training.
 *
 * <p>Images keep one byte array each, converted in place to the model's size and channels (the
 * same array when the model takes 28x28 grey), so 70,000 images take their 55 MB once.
 */
public final class IdxDataset {

    /** A data set of the family: its name in {@code --data}, its classes and its caption templates. */
    public enum Kind {
        /**
         * Zalando's classes, named as a caption would say them ("T-shirt/top" is "t-shirt": the
         * tokenizer would split the slash into two words, one of them shared with no other class).
         */
        FASHION_MNIST("fashion-mnist",
                List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                        "ankle boot"),
                List.of("a photo of a {}.", "a black and white photo of a {}.", "a low resolution photo of a {}.",
                        "a picture of a {}.", "a {}.", "a photo of the {}.", "a grayscale photo of a {}.",
                        "a cropped photo of a {}.")),
        /** Digits as words, which the tokenizer keeps, in open_clip's digit prompts. */
        MNIST("mnist",
                List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
                List.of("a photo of the number {}.", "a black and white photo of the number {}.",
                        "a picture of the number {}.", "the number {}.", "a handwritten {}.", "the digit {}.",
                        "a {}.", "a low resolution photo of the number {}."));

        private final String prefix;
        private final TemplateCaptions captions;

        Kind(String prefix, List<String> classNames, List<String> templates) {
            this.prefix = prefix;
            this.captions = new TemplateCaptions(classNames, templates);
        }

        /** The name before the colon in {@code --data}. */
        public String prefix() {
            return prefix;
        }

        public TemplateCaptions captions() {
            return captions;
        }
    }

    /** The four files, by the names of the originals; each may also end in {@code .gz}. */
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    /** Where Debian's package dataset-fashion-mnist puts the files, for the error that lacks them. */
    public static final String DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

    /** The caption draws of training follow from the seed through this salt. */
    private static final long TRAIN_CAPTION_STREAM = 0x1D8;
    /**
     * Validation and test captions are the same whatever the seed, so that scores on them
     * (recall uses the captions) compare across runs and between {@code train} and {@code eval}.
     */
    private static final long VALIDATION_CAPTION_SEED = 0x7A1;
    private static final long TEST_CAPTION_SEED = 0x7E57;

    /**
     * The splits of one data set.
     *
     * @param trainCaptions each training pair's caption per epoch: its epoch-0 draws are the captions
     *                      of {@code train}; a trainer that calls {@code draw(epoch)} at each epoch
     *                      gives every pair a new template
     */
    public record Splits(String name, List<Example> train, List<Example> validation, List<Example> test,
                         TemplateCaptions captions, EpochCaptions trainCaptions) {

        /** Training pairs with the validation split held out, for {@code train}. */
        public PairDataset training() {
            return new PairDataset(name, train, validation, captions.classNames(), captions.classPrompts());
        }

        /** The test split alone (as the held-out pairs), for {@code eval} and the final report. */
        public PairDataset testing() {
            return new PairDataset(name + " test", List.of(), test, captions.classNames(),
                    captions.classPrompts());
        }
    }

    private IdxDataset() {
    }

    /** Whether {@code --data} names a data set of this family. */
    public static boolean isSource(String source) {
        return kindOf(source) != null;
    }

    /** Every split of {@code fashion-mnist:DIR} or {@code mnist:DIR}. */
    public static Splits load(String source, int imageSize, int channels, Resampling resampling, double valSplit,
                              long seed) {
        return load(requireKind(source), folderOf(source), imageSize, channels, resampling, valSplit, seed);
    }

    /**
     * Every split, images at {@code imageSize} with {@code channels}, resized (when they are not
     * of that size) with {@code resampling}.
     *
     * @param valSplit the fraction of the training files, from their end, held out for validation
     * @param seed     the training captions' draws follow from it
     */
    public static Splits load(Kind kind, Path folder, int imageSize, int channels, Resampling resampling,
                              double valSplit, long seed) {
        if (!(valSplit >= 0 && valSplit < 1)) {
            throw new BadInputException("validation split must be at least 0 and below 1, got " + valSplit);
        }
        checkShape(imageSize, channels);
        TemplateCaptions captions = kind.captions();
        Labelled trainFiles = read(kind, folder, TRAIN_IMAGES, TRAIN_LABELS, imageSize, channels, resampling);
        Labelled testFiles = read(kind, folder, TEST_IMAGES, TEST_LABELS, imageSize, channels, resampling);

        int total = trainFiles.labels.length;
        int trainCount = total - TsvDataset.heldOutCount(total, valSplit);
        EpochCaptions trainCaptions = new EpochCaptions(captions, Arrays.copyOf(trainFiles.labels, trainCount),
                new Rng(seed).fork(TRAIN_CAPTION_STREAM).state());
        List<Example> train = examples(trainFiles, 0, trainCount, trainCaptions, imageSize, channels);
        int[] validationLabels = Arrays.copyOfRange(trainFiles.labels, trainCount, total);
        List<Example> validation = examples(trainFiles, trainCount, total,
                new EpochCaptions(captions, validationLabels, VALIDATION_CAPTION_SEED), imageSize, channels);
        List<Example> test = examples(testFiles, 0, testFiles.labels.length,
                new EpochCaptions(captions, testFiles.labels, TEST_CAPTION_SEED), imageSize, channels);
        return new Splits(kind.prefix(), train, validation, test, captions, trainCaptions);
    }

    /** The test split alone, without reading the training files, for {@code eval}. */
    public static PairDataset loadTest(String source, int imageSize, int channels, Resampling resampling) {
        Kind kind = requireKind(source);
        checkShape(imageSize, channels);
        Labelled testFiles = read(kind, folderOf(source), TEST_IMAGES, TEST_LABELS, imageSize, channels,
                resampling);
        TemplateCaptions captions = kind.captions();
        List<Example> test = examples(testFiles, 0, testFiles.labels.length,
                new EpochCaptions(captions, testFiles.labels, TEST_CAPTION_SEED), imageSize, channels);
        return new PairDataset(kind.prefix() + " test", List.of(), test, captions.classNames(),
                captions.classPrompts());
    }

    private static Kind kindOf(String source) {
        for (Kind kind : Kind.values()) {
            if (source.startsWith(kind.prefix() + ":")) {
                return kind;
            }
        }
        return null;
    }

    private static Kind requireKind(String source) {
        Kind kind = kindOf(source);
        if (kind == null) {
            throw new IllegalArgumentException("not an IDX data source: " + source);
        }
        return kind;
    }

    private static Path folderOf(String source) {
        String folder = source.substring(source.indexOf(':') + 1);
        if (folder.isBlank()) {
            throw new BadInputException("--data " + source + ": no folder after the colon; give e.g. "
                    + "fashion-mnist:" + DEBIAN_FASHION_MNIST);
        }
        return Path.of(folder);
    }

    private static void checkShape(int imageSize, int channels) {
        if (imageSize < 1 || channels != 1 && channels != 3) {
            throw new IllegalArgumentException("expected 1 or 3 channels and a positive size, got " + channels
                    + " and " + imageSize);
        }
    }

    /** The images of one pair of files, already at the model's shape, and their labels. */
    private record Labelled(byte[][] pixels, int[] labels) {
    }

    private static Labelled read(Kind kind, Path folder, String imagesName, String labelsName, int imageSize,
                                 int channels, Resampling resampling) {
        if (!Files.isDirectory(folder)) {
            throw new BadInputException("--data " + kind.prefix() + ":" + folder + ": "
                    + (Files.exists(folder) ? "not a folder" : "no such folder") + hint(kind));
        }
        Path imagesFile = find(kind, folder, imagesName);
        Path labelsFile = find(kind, folder, labelsName);
        int[] labels = IdxFile.readLabels(labelsFile, kind.captions().classCount());
        IdxFile.Images images = IdxFile.readImages(imagesFile);
        if (images.count() != labels.length) {
            throw new BadInputException(imagesFile + " has " + images.count() + " images but " + labelsFile + " has "
                    + labels.length + " labels; they must pair up one to one");
        }
        if (images.count() == 0) {
            throw new BadInputException(imagesFile + ": no images");
        }
        byte[][] pixels = images.pixels();
        int rows = images.rows();
        int columns = images.columns();
        // in place, so each source image can be collected as soon as its converted copy exists
        IntStream.range(0, pixels.length).parallel()
                .forEach(i -> pixels[i] = toModel(pixels[i], rows, columns, imageSize, channels, resampling));
        return new Labelled(pixels, labels);
    }

    /** The file by its standard name, with or without {@code .gz}, or with a dot as MNIST's site has it. */
    private static Path find(Kind kind, Path folder, String name) {
        String dotted = name.replaceFirst("-idx", ".idx");
        for (String candidate : List.of(name, name + ".gz", dotted, dotted + ".gz")) {
            Path file = folder.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new BadInputException(folder + ": no " + name + " or " + name + ".gz (a " + kind.prefix()
                + " folder holds " + String.join(", ", List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS))
                + ", each possibly .gz)" + hint(kind));
    }

    private static String hint(Kind kind) {
        return kind == Kind.FASHION_MNIST ? "; Debian's package dataset-fashion-mnist installs them in "
                + DEBIAN_FASHION_MNIST : "";
    }

    /**
     * A grey source image at the model's shape: itself when the sizes match and the model is grey,
     * its value repeated in three channels for a colour model, else resized and centre-cropped as
     * every other image is (docs/formats.md).
     */
    static byte[] toModel(byte[] grey, int rows, int columns, int imageSize, int channels, Resampling resampling) {
        if (rows == imageSize && columns == imageSize) {
            if (channels == 1) {
                return grey;
            }
            byte[] colour = new byte[channels * grey.length];
            for (int c = 0; c < channels; c++) {
                System.arraycopy(grey, 0, colour, c * grey.length, grey.length);
            }
            return colour;
        }
        BufferedImage image = new BufferedImage(columns, rows, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, columns, rows, grey);
        return ImageLoader.resizeAndCrop(image, PillowImage.Mode.L, imageSize, channels, resampling);
    }

    private static List<Example> examples(Labelled files, int from, int to, EpochCaptions captions, int imageSize,
                                          int channels) {
        List<Example> examples = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            examples.add(new Example(files.pixels[i], channels, imageSize, captions.caption(i - from),
                    files.labels[i]));
        }
        return examples;
    }
}

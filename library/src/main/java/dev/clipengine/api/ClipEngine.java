package dev.clipengine.api;

import dev.clipengine.data.Example;
import dev.clipengine.data.ImageLoader;
import dev.clipengine.data.ImageStream;
import dev.clipengine.data.LoadProgress;
import dev.clipengine.eval.Embeddings;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.TransformerConfig;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A CLIP model ready to embed images and texts into one space of unit vectors, where related
 * images and texts lie close ({@link Similarity#cosine}), and to label images zero-shot
 * ({@link #classifier}).
 *
 * <p>Open one engine per model and share it: every method may be called from many threads at
 * once. The engine holds {@link EngineOptions#concurrency()} encoders; a caller takes a free one
 * for each batch it encodes and waits while all are busy. Images are decoded and resized on the
 * caller's thread before an encoder is taken.
 *
 * <p>An engine holds compute threads and buffers until {@link #close()}d; use it in a
 * try-with-resources block or close it when the program no longer needs it. Calls after close
 * throw {@link IllegalStateException}.
 *
 * <p>Bad input (a missing or corrupt model or image, a caption the model cannot tokenize) is a
 * {@link ClipInputException} with a one-line message; null arguments are a
 * {@link NullPointerException}.
 */
public final class ClipEngine implements AutoCloseable {

    /** The prompt {@link #classifier(List)} puts each label in. */
    public static final String DEFAULT_TEMPLATE = "a photo of a {}";

    private final ClipModel model;
    private final Encoders encoders;
    private final ModelInfo info;

    private ClipEngine(ClipModel model, Encoders encoders, ModelInfo info) {
        this.model = model;
        this.encoders = encoders;
        this.info = info;
    }

    /**
     * Loads a model on the default options ({@link EngineOptions#defaults()}).
     *
     * @param path the model's file or folder; see {@link #open(Path, EngineOptions)}
     * @return the engine, to be closed
     * @throws ClipInputException when the model cannot be read
     */
    public static ClipEngine open(Path path) {
        return open(path, EngineOptions.defaults());
    }

    /**
     * Loads a model: a clip-engine {@code .safetensors} model or training checkpoint, an
     * OpenAI/open_clip state dict in {@code .safetensors} (with open_clip's config beside it), an
     * open_clip hub folder, or a Hugging Face {@code CLIPModel} folder. The layout is told from
     * the file's content.
     *
     * @param path    the model's file or folder
     * @param options how to compute
     * @return the engine, to be closed
     * @throws ClipInputException when the model cannot be read or the backend cannot run
     */
    public static ClipEngine open(Path path, EngineOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        return InputErrors.translated(() -> {
            ClipModel model = Checkpoints.load(path);
            String backend = options.backend() != null ? options.backend() : Backends.defaultName();
            int threads = options.threadsPerEncoder(Runtime.getRuntime().availableProcessors());
            Encoders encoders = new Encoders(model, backend, threads, options.concurrency(), options.maxBatch());
            ModelConfig config = model.config();
            ModelInfo info = new ModelInfo(path.toString(), config instanceof TransformerConfig ? "transformer" : "mlp",
                    config.embedDim(), config.imageSize(), Math.exp(model.logitScale()), encoders.backendName(),
                    threads, options.concurrency(), options.maxBatch());
            return new ClipEngine(model, encoders, info);
        });
    }

    /**
     * What the model is and how it runs.
     *
     * @return the model's description
     */
    public ModelInfo info() {
        return info;
    }

    /**
     * The length of every embedding.
     *
     * @return the model's embedding dimension
     */
    public int dimension() {
        return info.dimension();
    }

    /**
     * The embedding of a PNG or JPEG file.
     *
     * @param file the image file
     * @return its unit-length embedding
     * @throws ClipInputException when the file is missing, not a PNG or JPEG, corrupt or too large
     */
    public float[] embedImage(Path file) {
        return embedImageFiles(List.of(file))[0];
    }

    /**
     * The embedding of an image in memory, resized as its file would be.
     *
     * @param image a grey or RGB image, with or without alpha
     * @return its unit-length embedding
     * @throws ClipInputException when the image has other colours (e.g. CMYK)
     */
    public float[] embedImage(BufferedImage image) {
        return embedImages(List.of(image))[0];
    }

    /**
     * The embedding of a PNG or JPEG file's bytes.
     *
     * @param encoded the file's bytes
     * @return its unit-length embedding
     * @throws ClipInputException when the bytes are no PNG or JPEG, are corrupt, or the image is too
     *                            large
     */
    public float[] embedImage(byte[] encoded) {
        return embedImageBytes(List.of(encoded))[0];
    }

    /**
     * The embeddings of PNG or JPEG files. Files beyond the first batch are decoded on a few
     * threads of their own while earlier batches encode.
     *
     * @param files the image files
     * @return their unit-length embeddings, in their order: {@code [files][dimension]}
     * @throws ClipInputException naming the first file that cannot be read
     */
    public float[][] embedImageFiles(List<Path> files) {
        List<Path> checked = List.copyOf(files);
        encoders.requireOpen();
        if (checked.size() <= info.maxBatch()) {
            return encodeImages(checked.size(), count -> decodeAll(checked, this::decode));
        }
        return InputErrors.translated(() -> {
            try (ImageStream stream = new ImageStream(checked, this::decode, LoadProgress.NONE, 2 * info.maxBatch(),
                    ImageStream.defaultThreads())) {
                return encodeImages(checked.size(), stream::next);
            }
        });
    }

    /**
     * The embeddings of images in memory, as {@link #embedImage(BufferedImage)}.
     *
     * @param images grey or RGB images
     * @return their unit-length embeddings, in their order: {@code [images][dimension]}
     * @throws ClipInputException naming the first image that cannot be used
     */
    public float[][] embedImages(List<BufferedImage> images) {
        List<BufferedImage> checked = List.copyOf(images);
        int[] next = {0};
        return encodeImages(checked.size(), count -> {
            List<Example> batch = new ArrayList<>(count);
            for (int i = 0; i < count; i++, next[0]++) {
                BufferedImage image = checked.get(next[0]);
                batch.add(example(ImageLoader.read(image, imageName(next[0], checked.size(), "in memory"),
                        config().imageSize(), config().channels(), config().resampling())));
            }
            return batch;
        });
    }

    /**
     * The embeddings of PNG or JPEG files' bytes, as {@link #embedImage(byte[])}.
     *
     * @param encodedImages each file's bytes
     * @return their unit-length embeddings, in their order: {@code [images][dimension]}
     * @throws ClipInputException naming the first image (by its position) that cannot be decoded
     */
    public float[][] embedImageBytes(List<byte[]> encodedImages) {
        List<byte[]> checked = List.copyOf(encodedImages);
        int[] next = {0};
        return encodeImages(checked.size(), count -> {
            List<Example> batch = new ArrayList<>(count);
            for (int i = 0; i < count; i++, next[0]++) {
                batch.add(example(ImageLoader.read(checked.get(next[0]), imageName(next[0], checked.size(), "as bytes"),
                        config().imageSize(), config().channels(), config().resampling())));
            }
            return batch;
        });
    }

    /**
     * The embedding of a text; a text longer than the model's context is cut, as CLIP does.
     *
     * @param text the text
     * @return its unit-length embedding
     * @throws ClipInputException when the model's word vocabulary knows no word of it (the models
     *                            trained here on their own words; CLIP's tokenizer takes any text)
     */
    public float[] embedText(String text) {
        return embedTexts(List.of(text))[0];
    }

    /**
     * The embeddings of texts, as {@link #embedText(String)}.
     *
     * @param texts the texts
     * @return their unit-length embeddings, in their order: {@code [texts][dimension]}
     * @throws ClipInputException naming the first text the model cannot tokenize
     */
    public float[][] embedTexts(List<String> texts) {
        List<String> checked = List.copyOf(texts);
        encoders.requireOpen();
        float[][] rows = new float[checked.size()][];
        for (int from = 0; from < checked.size(); from += info.maxBatch()) {
            List<String> batch = checked.subList(from, Math.min(checked.size(), from + info.maxBatch()));
            float[] flat = InputErrors.translated(() ->
                    encoders.withGraph(graph -> Embeddings.ofCaptions(graph, batch, batch.size())));
            copyRows(flat, rows, from, batch.size());
        }
        return rows;
    }

    /**
     * A zero-shot classifier over {@code labels}, each put in {@link #DEFAULT_TEMPLATE}.
     *
     * @param labels the labels
     * @return the classifier, its labels encoded
     * @throws IllegalArgumentException when there is no label or a label is blank
     */
    public ZeroShotClassifier classifier(List<String> labels) {
        return classifier(labels, List.of(DEFAULT_TEMPLATE));
    }

    /**
     * A zero-shot classifier over {@code labels}, CLIP's way: each label is put in every template
     * (where {@code {}} stands), and its embedding is the normalised mean of its prompts'
     * embeddings. The labels are encoded here, once; classifying an image then costs one image
     * encoding.
     *
     * @param labels    the labels, in the order {@link ZeroShotClassifier#labels()} keeps
     * @param templates prompts with {@code {}} where the label goes, e.g. {@code "a photo of a {}."}
     * @return the classifier, its labels encoded
     * @throws IllegalArgumentException when there is no label, a label is blank, there is no
     *                                  template or a template lacks {@code {}}
     */
    public ZeroShotClassifier classifier(List<String> labels, List<String> templates) {
        List<String> names = List.copyOf(labels);
        List<String> prompts = List.copyOf(templates);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no label to classify into");
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no template to put the labels in");
        }
        for (String template : prompts) {
            if (!template.contains("{}")) {
                throw new IllegalArgumentException("a template must contain {} where the label goes, got \""
                        + template + "\"");
            }
        }
        for (String label : names) {
            if (label.isBlank()) {
                throw new IllegalArgumentException("a label is blank");
            }
        }
        encoders.requireOpen();
        float[][] labelRows = new float[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            String label = names.get(i).strip();
            List<String> filled = prompts.stream().map(t -> t.replace("{}", label)).toList();
            float[] flat = InputErrors.translated(() -> encoders.withGraph(graph ->
                    Embeddings.ofClasses(graph, List.of(filled), Math.min(info.maxBatch(), filled.size()))));
            labelRows[i] = flat;
        }
        return new ZeroShotClassifier(this, names, labelRows, info.logitScale());
    }

    /** Waits for the callers encoding now, then frees the engine's threads and buffers. */
    @Override
    public void close() {
        encoders.close();
    }

    private ModelConfig config() {
        return model.config();
    }

    /**
     * {@code count} images encoded a batch at a time: {@code nextBatch} decodes the next batch
     * (on the caller's thread, or reads it from a stream), then a free encoder encodes it.
     */
    private float[][] encodeImages(int count, IntFunction<List<Example>> nextBatch) {
        encoders.requireOpen();
        float[][] rows = new float[count][];
        for (int from = 0; from < count; from += info.maxBatch()) {
            int size = Math.min(info.maxBatch(), count - from);
            float[] flat = InputErrors.translated(() -> {
                List<Example> batch = nextBatch.apply(size);
                return encoders.withGraph(graph -> Embeddings.ofImages(graph, batch, batch.size()));
            });
            copyRows(flat, rows, from, size);
        }
        return rows;
    }

    private static List<Example> decodeAll(List<Path> files, Function<Path, Example> decode) {
        return files.stream().map(decode).toList();
    }

    private Example decode(Path file) {
        return example(ImageLoader.read(file, config().imageSize(), config().channels(), config().resampling()));
    }

    private Example example(byte[] pixels) {
        return new Example(pixels, config().channels(), config().imageSize(), "", -1);
    }

    /** How an error names an image that has no file name: "image 2 of 5: ...", "image given as bytes: ...". */
    private static String imageName(int index, int count, String given) {
        return count == 1 ? "given " + given : (index + 1) + " of " + count;
    }

    private void copyRows(float[] flat, float[][] rows, int from, int count) {
        int dim = info.dimension();
        for (int i = 0; i < count; i++) {
            rows[from + i] = Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
        }
    }
}

package dev.clipengine.api;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API on OpenAI's small fixture model, against the embeddings OpenAI's code computed. */
class ClipEngineTest {

    private static final double TOLERANCE = 1e-5;

    private static ClipEngine clip;

    @BeforeAll
    static void open() {
        // batches of 2 so that the fixture's 5 images and 12 captions take several
        clip = ClipEngine.open(Fixture.MODEL, EngineOptions.defaults().withMaxBatch(2).withConcurrency(2)
                .withThreads(1));
    }

    @AfterAll
    static void close() {
        clip.close();
    }

    @Test
    void describesTheModel() {
        ModelInfo info = clip.info();
        assertEquals("transformer", info.family());
        assertEquals(32, info.dimension());
        assertEquals(32, info.imageSize());
        assertEquals(Math.exp(Math.log(1 / 0.07) + 0.3), info.logitScale(), 1e-4);
        assertEquals(2, info.concurrency());
    }

    @Test
    void imageFilesAsOpenAiEmbedsThem() {
        assertRowsClose(Fixture.expected("image_embeddings"), clip.embedImageFiles(Fixture.images()));
    }

    @Test
    void imagesInMemoryAndAsBytesAsTheirFiles() throws IOException {
        List<Path> files = Fixture.images();
        float[][] fromFiles = clip.embedImageFiles(files);
        List<BufferedImage> decoded = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        for (Path file : files) {
            decoded.add(ImageIO.read(file.toFile()));
            bytes.add(Files.readAllBytes(file));
        }
        float[][] fromImages = clip.embedImages(decoded);
        float[][] fromBytes = clip.embedImageBytes(bytes);
        for (int i = 0; i < files.size(); i++) {
            assertArrayEquals(fromFiles[i], fromBytes[i], files.get(i) + " as bytes");
            assertArrayEquals(fromFiles[i], fromImages[i], files.get(i) + " as a BufferedImage");
        }
        assertArrayEquals(fromFiles[3], clip.embedImage(files.get(3)));
        assertArrayEquals(fromFiles[3], clip.embedImage(bytes.get(3)));
        assertArrayEquals(fromFiles[3], clip.embedImage(decoded.get(3)));
    }

    @Test
    void textsAsOpenAiEmbedsThem() {
        float[][] texts = clip.embedTexts(Fixture.captions());
        assertRowsClose(Fixture.expected("text_embeddings"), texts);
        assertArrayEquals(texts[1], clip.embedText(Fixture.captions().get(1)));
        for (float[] row : texts) {
            assertEquals(1, Similarity.cosine(row, row), 1e-6);
            double norm = 0;
            for (float v : row) {
                norm += v * v;
            }
            assertEquals(1, norm, 1e-5, "embeddings are unit vectors");
        }
    }

    /**
     * A caption's embedding has the same bits alone as among others, with the default batch: the
     * batch's token rows (13 captions, one of 40 words) are far more than the few rows whose
     * products the engine takes another way round, a caption alone far fewer.
     */
    @Test
    void aCaptionHasTheSameBitsAloneAsInABatch() {
        List<String> captions = new ArrayList<>(Fixture.captions());
        captions.add(String.join(" ", Collections.nCopies(40, "photo")));
        try (ClipEngine defaults = ClipEngine.open(Fixture.MODEL, EngineOptions.defaults().withThreads(2))) {
            float[][] together = defaults.embedTexts(captions);
            for (int i = 0; i < captions.size(); i++) {
                assertArrayEquals(together[i], defaults.embedText(captions.get(i)), captions.get(i));
            }
        }
    }

    @Test
    void classifiesWithTheModelsScale() {
        List<String> labels = List.of("cat", "dog", "apple");
        List<String> templates = List.of("a photo of a {}", "a drawing of a {}");
        ZeroShotClassifier classifier = clip.classifier(labels, templates);
        float[] image = clip.embedImage(Fixture.images().getFirst());
        List<LabelScore> scores = classifier.classify(image);
        assertEquals(3, scores.size());
        double sum = 0;
        double[] logits = new double[3];
        for (int k = 0; k < 3; k++) {
            // the label's embedding: the normalised mean of its two prompts' embeddings
            String label = labels.get(k);
            float[][] prompts = clip.embedTexts(templates.stream().map(t -> t.replace("{}", label)).toList());
            float[] mean = new float[prompts[0].length];
            for (int d = 0; d < mean.length; d++) {
                mean[d] = (prompts[0][d] + prompts[1][d]) / 2;
            }
            logits[k] = clip.info().logitScale() * Similarity.cosine(image, mean);
            sum += Math.exp(logits[k]);
        }
        for (int r = 0; r < 3; r++) {
            LabelScore score = scores.get(r);
            int k = labels.indexOf(score.label());
            assertEquals(Math.exp(logits[k]) / sum, score.probability(), 1e-5, score.label());
            if (r > 0) {
                assertTrue(scores.get(r - 1).probability() >= score.probability(), "most probable first");
            }
        }
        assertEquals(scores, classifier.classify(Fixture.images().getFirst()));
    }

    @Test
    void findsTheNearest() {
        float[][] texts = clip.embedTexts(Fixture.captions());
        List<Match> nearest = Similarity.nearest(texts[4], texts, 3);
        assertEquals(3, nearest.size());
        assertEquals(new Match(4, Similarity.cosine(texts[4], texts[4])), nearest.getFirst());
        assertTrue(nearest.get(1).cosine() >= nearest.get(2).cosine());
        for (int i = 0; i < texts.length; i++) {
            int candidate = i;
            if (nearest.stream().noneMatch(m -> m.index() == candidate)) {
                assertTrue(Similarity.cosine(texts[4], texts[i]) <= nearest.get(2).cosine(), "row " + i);
            }
        }
    }

    @Test
    void concurrentCallersGetWhatOneCallerGets() throws Exception {
        float[][] images = clip.embedImageFiles(Fixture.images());
        float[][] texts = clip.embedTexts(Fixture.captions());
        try (ExecutorService callers = Executors.newFixedThreadPool(6)) {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                results.add(i % 2 == 0 ? callers.submit(() -> clip.embedImageFiles(Fixture.images()))
                        : callers.submit(() -> clip.embedTexts(Fixture.captions())));
            }
            for (int i = 0; i < results.size(); i++) {
                float[][] expected = i % 2 == 0 ? images : texts;
                float[][] got = results.get(i).get();
                for (int r = 0; r < expected.length; r++) {
                    assertArrayEquals(expected[r], got[r], "call " + i + ", row " + r);
                }
            }
        }
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws IOException {
        ClipInputException image = assertThrows(ClipInputException.class,
                () -> clip.embedImage(new byte[] {1, 2, 3, 4}));
        assertEquals("image given as bytes: not a PNG or JPEG image", image.getMessage());
        ClipInputException second = assertThrows(ClipInputException.class,
                () -> clip.embedImageBytes(List.of(Files.readAllBytes(Fixture.images().getFirst()), new byte[10])));
        assertTrue(second.getMessage().contains("image 2 of 2"), second.getMessage());
        Path missing = dir.resolve("missing.png");
        assertTrue(assertThrows(ClipInputException.class, () -> clip.embedImage(missing)).getMessage()
                .contains(missing.toString()));
        Path notModel = Files.writeString(dir.resolve("model.safetensors"), "not a model");
        ClipInputException model = assertThrows(ClipInputException.class, () -> ClipEngine.open(notModel));
        assertTrue(model.getMessage().startsWith(notModel.toString()), model.getMessage());
        assertThrows(ClipInputException.class,
                () -> ClipEngine.open(Fixture.MODEL, EngineOptions.defaults().withBackend("no-such-backend")));
        assertThrows(IllegalArgumentException.class, () -> clip.classifier(List.of("cat"), List.of("no label")));
        assertThrows(IllegalArgumentException.class, () -> clip.classifier(List.of(" "), List.of("{}")));
        assertThrows(IllegalArgumentException.class, () -> EngineOptions.defaults().withMaxBatch(0));
    }

    @Test
    void aClosedEngineRefusesWork() {
        ClipEngine engine = ClipEngine.open(Fixture.HF_FOLDER, EngineOptions.defaults().withThreads(1));
        float[] text = engine.embedText("a photo of a cat");
        // the Hugging Face folder holds the same weights as the state dict
        assertArrayEquals(clip.embedText("a photo of a cat"), text, 1e-6f);
        engine.close();
        engine.close();
        assertThrows(IllegalStateException.class, () -> engine.embedText("a photo of a cat"));
    }

    private static void assertRowsClose(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].length, actual[i].length);
            for (int d = 0; d < expected[i].length; d++) {
                assertEquals(expected[i][d], actual[i][d], TOLERANCE, "row " + i + ", value " + d);
            }
        }
    }
}

package dev.clipengine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.search.IndexFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexSearchCommandTest {

    @TempDir
    static Path models;

    private static Path model;

    @BeforeAll
    static void trainTinyModel() {
        model = models.resolve("m.safetensors");
        TrainCommandTest.Result r = TrainCommandTest.run("train", "--model", "seed", "--steps", "5", "--batch-size", "8",
                "--quiet", "--threads", "1", "--out", model.toString());
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void indexesAFolderThenEmbedsOnlyWhatChanged(@TempDir Path dir) throws Exception {
        Path photos = dir.resolve("photos");
        Files.createDirectories(photos.resolve("nested"));
        drawPng(photos.resolve("a.png"), Color.RED);
        drawPng(photos.resolve("b.png"), Color.BLUE);
        drawPng(photos.resolve("nested/c.png"), Color.GREEN);
        Files.writeString(photos.resolve("broken.png"), "not a PNG");
        Files.writeString(photos.resolve("notes.txt"), "not an image at all");
        Path index = dir.resolve("photos.index");

        TrainCommandTest.Result first = index(photos, index);
        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().contains("4 images found: 4 new"), first.out());
        assertTrue(first.out().contains("3 images in"), first.out());
        assertTrue(first.err().contains("skipped") && first.err().contains("broken.png"), first.err());
        assertEquals(1, first.err().lines().filter(l -> l.startsWith("skipped")).count(), first.err());
        assertEquals(3, IndexFile.read(index).size());

        // a.png unchanged, b.png changed, c.png deleted, d.png new; broken.png is still tried and skipped
        drawPng(photos.resolve("b.png"), Color.WHITE);
        Files.setLastModifiedTime(photos.resolve("b.png"), FileTime.fromMillis(1_000_000));
        Files.delete(photos.resolve("nested/c.png"));
        drawPng(photos.resolve("d.png"), Color.YELLOW);
        TrainCommandTest.Result second = index(photos, index);
        assertEquals(0, second.status(), second.err());
        assertTrue(second.out().contains("4 images found: 2 new, 1 changed, 1 unchanged; 1 rows of deleted files dropped"),
                second.out());
        assertTrue(second.out().contains("2 images read and embedded"), second.out());
        IndexFile updated = IndexFile.read(index);
        assertEquals(Arrays.asList("a.png", "b.png", "d.png"),
                updated.paths().stream().map(p -> Path.of(p).getFileName().toString()).toList());

        Files.delete(photos.resolve("broken.png"));
        TrainCommandTest.Result third = index(photos, index);
        assertTrue(third.out().contains("3 images in") && third.out().contains("unchanged"), third.out());
        assertEquals(updated.id(), IndexFile.read(index).id(), "an index with nothing to change is left as it was");
    }

    @Test
    void searchPrintsTheBestImagesAsATableOrJson(@TempDir Path dir) throws Exception {
        Path photos = dir.resolve("photos");
        Files.createDirectories(photos);
        Color[] colours = {Color.RED, Color.BLUE, Color.GREEN, Color.WHITE, Color.BLACK};
        for (int i = 0; i < colours.length; i++) {
            drawPng(photos.resolve("p" + i + ".png"), colours[i]);
        }
        Path index = dir.resolve("photos.index");
        assertEquals(0, index(photos, index).status());

        TrainCommandTest.Result table = TrainCommandTest.run("search", index.toString(), "a red circle", "--top", "3");
        assertEquals(0, table.status(), table.err());
        assertEquals(3, table.out().lines().filter(l -> l.contains(".png")).count(), table.out());

        TrainCommandTest.Result json = TrainCommandTest.run("search", index.toString(), "--image",
                photos.resolve("p3.png").toString(), "--format", "json", "--hnsw");
        assertEquals(0, json.status(), json.err());
        JsonNode parsed = new ObjectMapper().readTree(json.out());
        assertEquals("hnsw", parsed.get("method").asText());
        JsonNode results = parsed.get("results");
        assertEquals(5, results.size(), "every image when the index holds fewer than --top");
        assertEquals(photos.resolve("p3.png").toAbsolutePath().toString(), results.get(0).get("path").asText(),
                "an indexed image is its own nearest");
        assertEquals(1.0, results.get(0).get("score").asDouble(), 1e-4);
        for (int i = 1; i < results.size(); i++) {
            assertTrue(results.get(i - 1).get("score").asDouble() >= results.get(i).get("score").asDouble());
            assertEquals(i + 1, results.get(i).get("rank").asInt());
        }
        TrainCommandTest.Result exact = TrainCommandTest.run("search", index.toString(), "--image",
                photos.resolve("p3.png").toString(), "--format", "json", "--exact");
        JsonNode exactResults = new ObjectMapper().readTree(exact.out()).get("results");
        for (int i = 0; i < results.size(); i++) {
            assertEquals(exactResults.get(i).get("path"), results.get(i).get("path"), "HNSW finds what exact search finds");
            assertEquals(exactResults.get(i).get("score").asDouble(), results.get(i).get("score").asDouble(), 1e-5);
        }
    }

    @Test
    void anotherModelACorruptIndexAndBadQueriesAreOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        Path photos = dir.resolve("photos");
        Files.createDirectories(photos);
        drawPng(photos.resolve("a.png"), Color.RED);
        Path index = dir.resolve("photos.index");
        assertEquals(0, index(photos, index).status());

        Path other = dir.resolve("other.safetensors");
        assertEquals(0, TrainCommandTest.run("train", "--model", "seed", "--steps", "5", "--batch-size", "8", "--seed", "1",
                "--quiet", "--threads", "1", "--out", other.toString()).status());
        assertOneLine(TrainCommandTest.run("search", index.toString(), "a cat", "--checkpoint", other.toString()),
                "indexed with another model");
        assertOneLine(TrainCommandTest.run("index", photos.toString(), "--checkpoint", other.toString(), "--out",
                index.toString()), "indexed with another model");

        Path moved = dir.resolve("moved.safetensors");
        Files.copy(model, moved);
        Path movedIndex = dir.resolve("moved.index");
        assertEquals(0, TrainCommandTest.run("index", photos.toString(), "--checkpoint", moved.toString(), "--out",
                movedIndex.toString()).status());
        Files.delete(moved);
        assertOneLine(TrainCommandTest.run("search", movedIndex.toString(), "a cat"), "is not there any more");
        assertEquals(0, TrainCommandTest.run("search", movedIndex.toString(), "a cat", "--checkpoint",
                model.toString()).status(), "the same model from another file");

        byte[] whole = Files.readAllBytes(index);
        Files.write(index, Arrays.copyOf(whole, whole.length / 2));
        assertOneLine(TrainCommandTest.run("search", index.toString(), "a cat"), index.toString());
        assertOneLine(index(photos, index), index.toString());
        assertEquals(whole.length / 2, Files.size(index), "a refused index is left as it was");

        assertOneLine(TrainCommandTest.run("search", index.toString()), "give either a caption or --image");
        assertOneLine(TrainCommandTest.run("index", dir.resolve("none").toString(), "--checkpoint", model.toString(),
                "--out", index.toString()), "no such folder");
    }

    private static TrainCommandTest.Result index(Path folder, Path index) {
        return TrainCommandTest.run("index", folder.toString(), "--checkpoint", model.toString(), "--out", index.toString(),
                "--threads", "1", "--batch-size", "2");
    }

    private static void assertOneLine(TrainCommandTest.Result r, String problem) {
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(problem), r.err());
    }

    private static void drawPng(Path file, Color colour) throws Exception {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(colour);
        g.fillOval(2, 2, 12, 12);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }
}

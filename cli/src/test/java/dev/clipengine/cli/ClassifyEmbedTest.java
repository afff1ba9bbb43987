package dev.clipengine.cli;

import dev.clipengine.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifyEmbedTest {

    @Test
    void classifyRanksEveryLabelAndEmbedWritesUnitRowsInInputOrder(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        assertEquals(0, TrainCommandTest.run("train", "--model", "seed", "--steps", "20", "--batch-size", "8", "--quiet",
                "--out", model.toString()).status());
        Path images = dir.resolve("images");
        java.nio.file.Files.createDirectories(images);
        for (String name : new String[] {"b.png", "a.png"}) {
            ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png", images.resolve(name).toFile());
        }

        TrainCommandTest.Result classified = TrainCommandTest.run("classify", images.toString(), "--checkpoint",
                model.toString(), "--labels", "red circle,blue square,green ring", "--template", "a {}");
        assertEquals(0, classified.status(), classified.err());
        String out = classified.out();
        assertTrue(out.indexOf("a.png") < out.indexOf("b.png"), "a folder's images in name order: " + out);
        double total = out.lines().filter(l -> l.contains("%"))
                .limit(3).mapToDouble(l -> Double.parseDouble(l.strip().split("%")[0])).sum();
        assertEquals(100.0, total, 0.05, "the first image's three probabilities sum to 1: " + out);

        Path embeddings = dir.resolve("e.safetensors");
        TrainCommandTest.Result embedded = TrainCommandTest.run("embed", "--checkpoint", model.toString(), "--images",
                images.toString(), "--captions", "a red circle", "--captions", "a big blue square", "--out",
                embeddings.toString());
        assertEquals(0, embedded.status(), embedded.err());
        SafeTensors.Contents contents = SafeTensors.read(embeddings);
        assertArrayEquals(new int[] {2, 2}, contents.tensors().get("image_embeddings").shape());
        assertArrayEquals(new int[] {2, 2}, contents.tensors().get("text_embeddings").shape());
        assertTrue(contents.metadata().get("images").indexOf("a.png") < contents.metadata().get("images").indexOf("b.png"));
        float[] text = contents.tensors().get("text_embeddings").data();
        assertEquals(1.0, Math.hypot(text[0], text[1]), 1e-6, "unit length");
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) {
        TrainCommandTest.Result r = TrainCommandTest.run("classify", dir.resolve("none.png").toString(), "--checkpoint",
                dir.resolve("none.safetensors").toString(), "--labels", "a,b");
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        r = TrainCommandTest.run("embed", "--checkpoint", dir.resolve("none.safetensors").toString(), "--out",
                dir.resolve("e.safetensors").toString());
        assertEquals(2, r.status(), r.err());
    }
}

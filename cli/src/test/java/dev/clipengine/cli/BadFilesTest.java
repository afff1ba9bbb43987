package dev.clipengine.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file of the committed corpus of bad files (src/test/resources/bad-files, listed with the
 * option that takes it and a word its error must contain in expected.tsv) gives one clear line and
 * exit status 2, and writes nothing.
 */
class BadFilesTest {

    private static final String[] CORPUS = {"empty.safetensors", "short-header.safetensors",
            "huge-header-length.safetensors", "not-json.safetensors", "f64.safetensors", "truncated.safetensors",
            "not-a-model.safetensors", "bad-config.json", "not-json-config.json", "garbage.png",
            "rows-missing-title.tsv", "row-too-short.tsv", "unreadable-image.tsv", "no-word-caption.tsv", "empty.tsv",
            "expected.tsv"};

    @TempDir
    static Path corpus;

    @org.junit.jupiter.api.Test
    void aTruncatedIdxFileIsNamed(@TempDir Path folder) throws IOException {
        // a header promising 100 images of 28 x 28, and the bytes of only one
        java.nio.ByteBuffer images = java.nio.ByteBuffer.allocate(16 + 784).putInt(0x803).putInt(100).putInt(28).putInt(28);
        java.nio.ByteBuffer labels = java.nio.ByteBuffer.allocate(8 + 100).putInt(0x801).putInt(100);
        for (String split : new String[] {"train", "t10k"}) {
            Files.write(folder.resolve(split + "-images-idx3-ubyte"), images.array());
            Files.write(folder.resolve(split + "-labels-idx1-ubyte"), labels.array());
        }
        Path out = folder.resolve("m.safetensors");
        TrainCommandTest.Result r = TrainCommandTest.run("train", "--data", "fashion-mnist:" + folder, "--steps", "1",
                "--out", out.toString());
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("images-idx3-ubyte"), r.err());
        assertFalse(Files.exists(out));
    }

    @TestFactory
    List<DynamicTest> eachBadFileGivesOneClearLineAndStatusTwo() throws IOException {
        for (String name : CORPUS) {
            try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/bad-files/" + name), name)) {
                Files.copy(in, corpus.resolve(name));
            }
        }
        return Files.readAllLines(corpus.resolve("expected.tsv")).stream().map(line -> {
            String[] fields = line.split("\t");
            return DynamicTest.dynamicTest(fields[0], () -> {
                Path out = corpus.resolve("out-" + fields[0] + ".safetensors");
                String[] args = fields[1].equals("--data")
                        ? new String[] {"train", "--model", "seed", "--data", corpus.resolve(fields[0]).toString(),
                                "--steps", "1", "--batch-size", "2", "--out", out.toString()}
                        : new String[] {"train", fields[1], corpus.resolve(fields[0]).toString(), "--steps", "1",
                                "--out", out.toString()};
                TrainCommandTest.Result r = TrainCommandTest.run(args);
                assertEquals(2, r.status(), fields[0] + ": " + r.err());
                assertEquals(1, r.err().strip().lines().count(), fields[0] + ": " + r.err());
                assertTrue(r.err().contains(fields[2]), fields[0] + " should mention '" + fields[2] + "': " + r.err());
                assertFalse(Files.exists(out), fields[0] + ": nothing is saved");
            });
        }).toList();
    }
}

package dev.clipengine.search;

import dev.clipengine.BadInputException;
import dev.clipengine.io.IntegerTensor;
import dev.clipengine.io.SafeTensors;
import dev.clipengine.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexFileTest {

    @Test
    void readsBackWhatItWrote(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("i.index");
        IndexFile index = new IndexFile(RandomIndexes.MODEL, 2, List.of("/a/été.png", "/b/x.jpg", "/c"),
                new long[] {1, 2, 3}, new long[] {-4, 5, Long.MAX_VALUE}, new float[] {1, 0, 0, 1, 0.6f, 0.8f});
        index.write(file);
        IndexFile read = IndexFile.read(file);
        assertEquals(index.paths(), read.paths());
        assertEquals(index.id(), read.id());
        assertEquals(index.model(), read.model());
        assertArrayEquals(index.embeddings(), read.embeddings());
        assertEquals(Long.MAX_VALUE, read.modifiedNanos(2));
        assertEquals(2, read.fileSize(1));
    }

    @Test
    void refusesTruncatedCorruptAndForeignFilesInOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("i.index");
        RandomIndexes.of(new float[] {1, 0, 0, 1}, 2).write(file);
        byte[] whole = Files.readAllBytes(file);

        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 3));
        assertRefused(file, "i.index: ");
        byte[] flipped = whole.clone();
        flipped[flipped.length - 1] ^= 1;
        Files.write(file, flipped);
        assertRefused(file, "does not match its sha256");

        Path model = dir.resolve("model.safetensors");
        SafeTensors.write(model, Map.of(), List.of(new Tensor("w", new int[] {1}, new float[] {1})));
        assertRefused(model, "is not an image index");

        Path badOffsets = dir.resolve("offsets.index");
        SafeTensors.write(badOffsets, Map.of("format", IndexFile.FORMAT, "version", "1", "id", "x", "model", "m",
                        "model_sha256", "0".repeat(64)),
                List.of(new Tensor(IndexFile.EMBEDDINGS, new int[] {2, 1}, new float[] {1, 1})),
                List.of(new IntegerTensor.U8(IndexFile.PATH_BYTES, new byte[] {'a', 'b'}),
                        new IntegerTensor.I64(IndexFile.PATH_OFFSETS, new long[] {0, 2, 1}),
                        new IntegerTensor.I64(IndexFile.FILE_SIZES, new long[2]),
                        new IntegerTensor.I64(IndexFile.FILE_MODIFIED, new long[2])));
        assertRefused(badOffsets, "must run from 0 to the length");

        try (RandomAccessFile empty = new RandomAccessFile(dir.resolve("empty.index").toFile(), "rw")) {
            empty.setLength(0);
        }
        assertRefused(dir.resolve("empty.index"), "too short");
    }

    private static void assertRefused(Path file, String problem) {
        BadInputException e = assertThrows(BadInputException.class, () -> IndexFile.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(problem), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}

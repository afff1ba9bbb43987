package dev.clipengine.search;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class IndexUpdateTest {

    private static final ModelIdentity MODEL = RandomIndexes.MODEL;

    @Test
    void embedsOnlyNewAndChangedFilesAndDropsDeletedOnes() {
        // rows: /p/a unchanged, /p/b changed (size), /p/c deleted, /q/d under another folder
        IndexFile previous = new IndexFile(MODEL, 1, List.of("/p/a.png", "/p/b.png", "/p/c.png", "/q/d.png"),
                new long[] {10, 20, 30, 40}, new long[] {1, 2, 3, 4}, new float[] {1, 2, 3, 4});
        List<ImageFiles.Found> found = List.of(new ImageFiles.Found("/p/a.png", 10, 1),
                new ImageFiles.Found("/p/b.png", 21, 2), new ImageFiles.Found("/p/e.png", 50, 5),
                new ImageFiles.Found("/p/f.png", 60, 6));
        IndexUpdate update = IndexUpdate.plan(previous, List.of(Path.of("/p")), found);
        assertEquals(List.of("/p/b.png", "/p/e.png", "/p/f.png"), update.toEmbed().stream().map(ImageFiles.Found::path)
                .toList());
        assertEquals(2, update.added());
        assertEquals(1, update.changed());
        assertEquals(1, update.removed());
        assertEquals(2, update.kept());

        // /p/e.png could not be read: it is left out
        BitSet embedded = new BitSet();
        embedded.set(0);
        embedded.set(2);
        IndexFile next = update.apply(MODEL, 1, new float[] {-2, -6}, embedded);
        assertEquals(List.of("/p/a.png", "/p/b.png", "/p/f.png", "/q/d.png"), next.paths());
        assertArrayEquals(new float[] {1, -2, -6, 4}, next.embeddings());
        assertArrayEquals(new long[] {10, 21, 60, 40}, new long[] {next.fileSize(0), next.fileSize(1), next.fileSize(2),
                next.fileSize(3)});
    }

    @Test
    void aNewIndexEmbedsEverything() {
        List<ImageFiles.Found> found = List.of(new ImageFiles.Found("/p/a.png", 1, 1));
        IndexUpdate update = IndexUpdate.plan(null, List.of(Path.of("/p")), found);
        assertEquals(found, update.toEmbed());
        assertEquals(1, update.added());
        assertEquals(0, update.kept());
    }

    @Test
    void aFolderNameThatStartsLikeAnotherIsNotUnderIt() {
        assertEquals(false, ImageFiles.isUnder("/photos2/a.png", List.of(Path.of("/photos"))));
        assertEquals(true, ImageFiles.isUnder("/photos/2/a.png", List.of(Path.of("/photos"))));
    }
}

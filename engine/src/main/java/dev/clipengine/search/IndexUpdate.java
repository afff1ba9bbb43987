package dev.clipengine.search;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What indexing folders into an existing index changes: a file whose path, size and modification
 * time match its row keeps its embedding; new and changed files are embedded; rows under the
 * folders whose files are gone are dropped; rows under other folders stay as they are.
 */
public final class IndexUpdate {

    private final IndexFile previous;
    private final List<ImageFiles.Found> toEmbed = new ArrayList<>();
    private final List<Integer> keptRows = new ArrayList<>();
    private int added;
    private int changed;
    private int removed;

    private IndexUpdate(IndexFile previous) {
        this.previous = previous;
    }

    /**
     * @param previous the index as it was, or null for a new one
     * @param folders  the folders indexed now, absolute and normalised
     * @param found    the image files under them now
     */
    public static IndexUpdate plan(IndexFile previous, List<Path> folders, List<ImageFiles.Found> found) {
        IndexUpdate update = new IndexUpdate(previous);
        Map<String, Integer> rows = new HashMap<>();
        if (previous != null) {
            for (int row = 0; row < previous.size(); row++) {
                rows.put(previous.path(row), row);
            }
        }
        Map<String, ImageFiles.Found> present = new HashMap<>();
        for (ImageFiles.Found file : found) {
            present.put(file.path(), file);
            Integer row = rows.get(file.path());
            if (row != null && previous.fileSize(row) == file.size() && previous.modifiedNanos(row) == file.modifiedNanos()) {
                update.keptRows.add(row);
            } else {
                update.toEmbed.add(file);
                if (row == null) {
                    update.added++;
                } else {
                    update.changed++;
                }
            }
        }
        if (previous != null) {
            for (int row = 0; row < previous.size(); row++) {
                String path = previous.path(row);
                if (!ImageFiles.isUnder(path, folders)) {
                    update.keptRows.add(row);
                } else if (!present.containsKey(path)) {
                    update.removed++;
                }
            }
        }
        return update;
    }

    /** The new and changed files, in path order: only these need embedding. */
    public List<ImageFiles.Found> toEmbed() {
        return List.copyOf(toEmbed);
    }

    /** Rows kept with their embeddings, unchanged files under the folders and every row under other folders. */
    public int kept() {
        return keptRows.size();
    }

    public int added() {
        return added;
    }

    public int changed() {
        return changed;
    }

    /** Rows dropped because their files are gone. */
    public int removed() {
        return removed;
    }

    /**
     * The updated index: the kept rows and the files embedded now, in path order. Files whose bit
     * in {@code embedded} is clear (unreadable ones) are left out.
     *
     * @param embeddings {@code [embedded.cardinality(), dim]}: the rows of the files of {@link #toEmbed()}
     *                   that were embedded, in that order
     */
    public IndexFile apply(ModelIdentity model, int dim, float[] embeddings, BitSet embedded) {
        record Row(String path, long size, long modified, float[] from, int offset) {}
        List<Row> rows = new ArrayList<>();
        for (int row : keptRows) {
            rows.add(new Row(previous.path(row), previous.fileSize(row), previous.modifiedNanos(row),
                    previous.embeddings(), row * previous.dim()));
        }
        int next = 0;
        for (int i = embedded.nextSetBit(0); i >= 0; i = embedded.nextSetBit(i + 1)) {
            ImageFiles.Found file = toEmbed.get(i);
            rows.add(new Row(file.path(), file.size(), file.modifiedNanos(), embeddings, next++ * dim));
        }
        rows.sort(Comparator.comparing(Row::path));
        List<String> paths = new ArrayList<>(rows.size());
        long[] sizes = new long[rows.size()];
        long[] modified = new long[rows.size()];
        float[] all = new float[rows.size() * dim];
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            paths.add(row.path());
            sizes[i] = row.size();
            modified[i] = row.modified();
            System.arraycopy(row.from(), row.offset(), all, i * dim, dim);
        }
        return new IndexFile(model, dim, paths, sizes, modified, all);
    }
}

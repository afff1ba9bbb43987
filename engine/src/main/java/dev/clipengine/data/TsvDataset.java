package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.io.RegularFiles;
import dev.clipengine.model.Vocabulary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Image-caption pairs listed in a TSV file in open_clip's layout (docs/formats.md): a header row
 * naming at least {@code filepath} and {@code title}, other columns ignored, UTF-8, one pair per
 * row, image paths relative to the TSV's folder or absolute. Every problem is a
 * {@link BadInputException} of one line naming the file and the line.
 */
public final class TsvDataset {

    public static final String PATH_COLUMN = "filepath";
    public static final String CAPTION_COLUMN = "title";

    private record Row(int line, Path image, String caption) {
    }

    private TsvDataset() {
    }

    /**
     * All rows, for training, or with {@code valSplit > 0} the last fraction of them (rounded, at
     * least one when there are two rows or more, never all) held out for validation.
     */
    public static PairDataset load(Path tsv, int imageSize, int channels, Resampling resampling, double valSplit) {
        return load(tsv, imageSize, channels, resampling, valSplit, LoadProgress.NONE);
    }

    /** As {@link #load(Path, int, int, Resampling, double)}, telling progress as the images are decoded. */
    public static PairDataset load(Path tsv, int imageSize, int channels, Resampling resampling, double valSplit,
                                   LoadProgress progress) {
        if (!(valSplit >= 0 && valSplit < 1)) {
            throw new BadInputException("validation split must be at least 0 and below 1, got " + valSplit);
        }
        List<Example> examples = readPairs(tsv, imageSize, channels, resampling, progress);
        int heldOut = heldOutCount(examples.size(), valSplit);
        int trainCount = examples.size() - heldOut;
        return new PairDataset(tsv.getFileName().toString(), examples.subList(0, trainCount),
                examples.subList(trainCount, examples.size()), List.of());
    }

    /** Every row of the file, in file order, e.g. for {@code --val-data}; labels are -1. */
    public static List<Example> readPairs(Path tsv, int imageSize, int channels, Resampling resampling) {
        return readPairs(tsv, imageSize, channels, resampling, LoadProgress.NONE);
    }

    /** As {@link #readPairs(Path, int, int, Resampling)}, telling progress as the images are decoded. */
    public static List<Example> readPairs(Path tsv, int imageSize, int channels, Resampling resampling,
                                          LoadProgress progress) {
        List<Row> rows = readRows(tsv);
        java.util.concurrent.atomic.AtomicInteger decoded = new java.util.concurrent.atomic.AtomicInteger();
        byte[][] pixels = new byte[rows.size()][];
        BadInputException[] failures = new BadInputException[rows.size()];
        // decoding dominates, and rows are independent; failures are kept so the first bad line is
        // the one reported, whichever thread met it first
        IntStream.range(0, rows.size()).parallel().forEach(i -> {
            try {
                pixels[i] = ImageLoader.read(rows.get(i).image(), imageSize, channels, resampling);
            } catch (BadInputException e) {
                failures[i] = e;
            }
            progress.loaded(decoded.incrementAndGet(), rows.size());
        });
        List<Example> examples = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (failures[i] != null) {
                throw new BadInputException(where(tsv, row.line()) + failures[i].getMessage(), failures[i]);
            }
            examples.add(new Example(pixels[i], channels, imageSize, row.caption(), -1));
        }
        return examples;
    }

    public static int heldOutCount(int rows, double valSplit) {
        if (valSplit <= 0 || rows < 2) {
            return 0;
        }
        return Math.clamp(Math.round(rows * valSplit), 1, rows - 1);
    }

    /** The rows' text, checked; images are not opened yet. */
    private static List<Row> readRows(Path tsv) {
        List<String> lines = readLines(tsv);
        if (lines.isEmpty()) {
            throw new BadInputException(tsv + ": the file is empty; it needs a header row naming the columns "
                    + PATH_COLUMN + " and " + CAPTION_COLUMN);
        }
        List<String> columns = Arrays.stream(stripByteOrderMark(lines.getFirst()).split("\t", -1))
                .map(String::strip).toList();
        int pathColumn = columns.indexOf(PATH_COLUMN);
        int captionColumn = columns.indexOf(CAPTION_COLUMN);
        List<String> missing = new ArrayList<>();
        if (pathColumn < 0) {
            missing.add(PATH_COLUMN);
        }
        if (captionColumn < 0) {
            missing.add(CAPTION_COLUMN);
        }
        if (!missing.isEmpty()) {
            throw new BadInputException(where(tsv, 1) + "the header has no column " + String.join(" or ", missing)
                    + " (it has: " + String.join(", ", columns) + "); the columns are tab-separated");
        }
        int needed = Math.max(pathColumn, captionColumn) + 1;
        Path folder = tsv.toAbsolutePath().getParent();
        List<Row> rows = new ArrayList<>();
        for (int index = 1; index < lines.size(); index++) {
            int line = index + 1;
            String text = lines.get(index);
            if (text.isBlank()) {
                continue; // as pandas skips blank lines
            }
            String[] fields = text.split("\t", -1);
            if (fields.length < needed || fields.length > columns.size()) {
                throw new BadInputException(where(tsv, line) + "expected " + columns.size()
                        + " tab-separated fields as in the header, found " + fields.length);
            }
            rows.add(new Row(line, imagePath(tsv, folder, line, unquote(fields[pathColumn])),
                    checkedCaption(tsv, line, unquote(fields[captionColumn]))));
        }
        if (rows.isEmpty()) {
            throw new BadInputException(tsv + ": no rows after the header; the TSV lists no image-caption pairs");
        }
        return rows;
    }

    /**
     * The file's lines without their {@code \n} or {@code \r\n}. Each line is decoded on its own
     * so that invalid UTF-8 is reported at its line (a reader decodes whole buffers ahead).
     */
    private static List<String> readLines(Path tsv) {
        if (RegularFiles.isSpecial(tsv)) {
            throw new BadInputException(tsv + ": " + RegularFiles.NOT_REGULAR);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(tsv);
        } catch (NoSuchFileException e) {
            throw new BadInputException(tsv + ": no such file");
        } catch (IOException e) {
            throw new BadInputException(tsv + ": cannot be read (" + e.getMessage() + ")", e);
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int length = end - start;
            if (length > 0 && bytes[end - 1] == '\r') {
                length--;
            }
            try {
                lines.add(utf8.decode(ByteBuffer.wrap(bytes, start, length)).toString());
            } catch (CharacterCodingException e) {
                throw new BadInputException(where(tsv, lines.size() + 1) + "not valid UTF-8");
            }
            start = end + 1;
        }
        return lines;
    }

    private static Path imagePath(Path tsv, Path folder, int line, String field) {
        if (field.isBlank()) {
            throw new BadInputException(where(tsv, line) + "the " + PATH_COLUMN + " is empty");
        }
        try {
            return folder.resolve(field.strip());
        } catch (InvalidPathException e) {
            throw new BadInputException(where(tsv, line) + "the " + PATH_COLUMN + " \"" + field
                    + "\" is not a valid path");
        }
    }

    /** Checked here rather than at training time, so the error can name the line. */
    private static String checkedCaption(Path tsv, int line, String caption) {
        if (caption.isBlank()) {
            throw new BadInputException(where(tsv, line) + "the caption is empty");
        }
        if (Vocabulary.words(caption).isEmpty()) {
            throw new BadInputException(where(tsv, line) + "the caption \"" + caption
                    + "\" has no word (only letters a-z and digits 0-9 make words)");
        }
        return caption;
    }

    /** A field wholly in double quotes is CSV-quoted, as pandas reads it: drop the quotes, undouble "". */
    private static String unquote(String field) {
        if (field.length() >= 2 && field.startsWith("\"") && field.endsWith("\"")) {
            return field.substring(1, field.length() - 1).replace("\"\"", "\"");
        }
        return field;
    }

    private static String stripByteOrderMark(String header) {
        return header.startsWith("\uFEFF") ? header.substring(1) : header;
    }

    private static String where(Path tsv, int line) {
        return tsv + ", line " + line + ": ";
    }
}

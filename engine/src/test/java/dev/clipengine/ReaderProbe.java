package dev.clipengine;

import dev.clipengine.data.IdxFile;
import dev.clipengine.data.Resampling;
import dev.clipengine.data.TsvDataset;
import dev.clipengine.data.WordVectors;
import dev.clipengine.io.ModelFile;

import java.nio.file.Path;

/**
 * Runs one reader on one file in a JVM of its own, as the command line would: what it read on
 * standard output and status 0, or a {@link BadInputException}'s message on standard error and
 * status 2. Anything else escapes to the JVM (status 1); started with
 * {@code -XX:+ExitOnOutOfMemoryError}, running out of memory ends it at once with status 3.
 * Usage: {@code ReaderProbe idx-labels|idx-images|word-vectors|tsv|model FILE}.
 */
public final class ReaderProbe {

    private ReaderProbe() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[1]);
        try {
            String read = switch (args[0]) {
                case "idx-labels" -> IdxFile.readLabels(file, 10).length + " labels";
                case "idx-images" -> IdxFile.readImages(file).count() + " images";
                case "word-vectors" -> WordVectors.read(file).count() + " vectors";
                case "tsv" -> TsvDataset.readPairs(file, 4, 1, Resampling.BILINEAR).size() + " pairs";
                case "model" -> ModelFile.load(file).vocabulary().size() + " words";
                default -> throw new IllegalArgumentException("no reader " + args[0]);
            };
            System.out.println(read);
        } catch (BadInputException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}

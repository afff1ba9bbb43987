package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.Example;
import dev.clipengine.data.ImageStream;
import dev.clipengine.eval.Embeddings;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.search.HnswSearch;
import dev.clipengine.search.ImageFiles;
import dev.clipengine.search.IndexFile;
import dev.clipengine.search.IndexUpdate;
import dev.clipengine.search.ModelIdentity;
import dev.clipengine.search.SearchMethod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code clip-engine index DIR... --checkpoint MODEL --out INDEX}: embeds every image under the
 * folders into an index file (docs/search.md). Given an existing index, only new and changed files
 * are embedded and the rows of deleted ones dropped; files that cannot be read are reported and left out.
 */
@Command(name = "index", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, showDefaultValues = true,
        description = "Embed every image under folders into an index file for clip-engine search.")
public final class IndexCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "1..*", description = "Folders of PNG and JPEG files, searched at any depth.")
    List<Path> folders;

    @Option(names = "--checkpoint", paramLabel = "MODEL", required = true,
            description = "A model: our .safetensors file, an OpenAI/open_clip .safetensors state dict, or a Hugging Face CLIPModel folder.")
    Path checkpoint;

    @Option(names = "--out", paramLabel = "INDEX", required = true,
            description = "The index file; when it exists, it is updated: only new and changed files are embedded.")
    Path out;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Images encoded at once; the next batch's images are decoded meanwhile.")
    int batchSize;

    @Option(names = "--hnsw", negatable = true,
            description = "Store an HNSW graph beside the index (INDEX.hnsw) for clip-engine search. Default: "
                    + "when the index holds " + SearchMethod.HNSW_FROM + " images or more.")
    Boolean hnsw;

    @Option(names = "--quiet", description = "No progress lines.")
    boolean quiet;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Options.range("--batch-size", batchSize, 1, 4096);
        OutputFiles.requireWritable(out, "--out");
        List<Path> roots = ImageFiles.folders(folders);
        IndexFile previous = Files.exists(out) ? IndexFile.read(out) : null;
        long started = System.nanoTime();
        ClipModel model = Checkpoints.load(checkpoint);
        ModelIdentity identity = ModelIdentity.of(model, checkpoint);
        if (previous != null) {
            previous.model().requireSameAs(identity, out);
        }
        log(console, "model read in %.1f s%n", (System.nanoTime() - started) / 1e9);
        List<ImageFiles.Found> found = ImageFiles.under(roots);
        IndexUpdate update = IndexUpdate.plan(previous, roots, found);
        if (found.isEmpty() && update.kept() == 0) {
            throw new BadInputException("no PNG or JPEG files under " + String.join(", ",
                    roots.stream().map(Path::toString).toList()));
        }
        List<ImageFiles.Found> toEmbed = update.toEmbed();
        log(console, "%d images found: %d new, %d changed, %d unchanged; %d rows of deleted files dropped%n",
                found.size(), update.added(), update.changed(), found.size() - toEmbed.size(), update.removed());

        int dim = model.config().embedDim();
        Map<String, String> unreadable = new TreeMap<>();
        BitSet embedded = new BitSet(toEmbed.size());
        float[] embeddings = new float[0];
        if (!toEmbed.isEmpty()) {
            started = System.nanoTime();
            int batch = Math.min(batchSize, toEmbed.size());
            try (Backend backend = compute.create(err);
                 LoadingProgress loading = new LoadingProgress(console, quiet, "embedding images");
                 ImageStream stream = new ImageStream(toEmbed.stream().map(f -> Path.of(f.path())).toList(),
                         skippingUnreadable(ModelInputs.decoder(model.config()), unreadable), loading, 2 * batch,
                         ImageStream.defaultThreads())) {
                embeddings = Embeddings.ofDecodedImages(ClipGraph.forEncoding(model, backend, batch), stream, batch,
                        embedded);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            log(console, "%d images read and embedded in %.2f s (%.1f images/s)%n", embedded.cardinality(), seconds,
                    toEmbed.size() / seconds);
        }
        unreadable.forEach((file, reason) -> err.println("skipped " + reason));

        IndexFile index;
        if (previous != null && update.added() + update.changed() + update.removed() == 0) {
            // rewritten, the index would get a new id and a graph stored beside it would no longer count
            index = previous;
            console.printf("%d images in %s, unchanged%n", index.size(), out);
        } else {
            index = update.apply(identity, dim, embeddings, embedded);
            try {
                index.write(out);
            } catch (IOException e) {
                throw new BadInputException("cannot write " + out + " (" + e.getMessage() + ")");
            }
            console.printf("%d images in %s (%d unreadable skipped)%n", index.size(), out, unreadable.size());
        }
        Path graph = HnswSearch.folderBeside(out);
        if ((hnsw == null ? SearchMethod.AUTO.usesGraph(index) : hnsw) && !hasGraph(index, graph)) {
            started = System.nanoTime();
            try {
                HnswSearch.write(index, graph);
            } catch (IOException e) {
                throw new BadInputException("cannot write the HNSW graph " + graph + " (" + e.getMessage() + ")");
            }
            console.printf("HNSW graph built in %.1f s and stored in %s%n", (System.nanoTime() - started) / 1e9, graph);
        }
        return Main.OK;
    }

    /** True when the folder holds the graph of this very index. */
    private static boolean hasGraph(IndexFile index, Path graph) {
        try (HnswSearch stored = HnswSearch.open(index, graph, HnswSearch.DEFAULT_CANDIDATES)) {
            return stored != null;
        } catch (BadInputException unreadable) {
            return false;
        }
    }

    /** The decoder, but an unreadable file becomes null and its reason is kept, rather than ending the run. */
    private static Function<Path, Example> skippingUnreadable(Function<Path, Example> decoder,
            Map<String, String> unreadable) {
        return file -> {
            try {
                return decoder.apply(file);
            } catch (BadInputException e) {
                synchronized (unreadable) {
                    unreadable.put(file.toString(), e.getMessage());
                }
                return null;
            }
        };
    }

    private void log(PrintWriter console, String format, Object... args) {
        if (!quiet) {
            console.printf(format, args);
        }
    }
}

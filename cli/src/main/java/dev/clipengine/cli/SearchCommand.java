package dev.clipengine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.eval.Embeddings;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.search.Hit;
import dev.clipengine.search.HnswSearch;
import dev.clipengine.search.ImageSearch;
import dev.clipengine.search.IndexFile;
import dev.clipengine.search.ModelIdentity;
import dev.clipengine.search.SearchMethod;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code clip-engine search INDEX "text"} or {@code search INDEX --image FILE}: the images of an
 * index nearest to a caption or to another image, best first (docs/search.md).
 */
@Command(name = "search", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, showDefaultValues = true,
        description = "Find the images of an index that best match a caption or an image.")
public final class SearchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INDEX", description = "An index written by clip-engine index.")
    Path indexFile;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TEXT", description = "The caption to search for.")
    String text;

    @Option(names = "--image", paramLabel = "FILE", description = "Search for images like this one instead of a caption.")
    Path image;

    @Option(names = "--checkpoint", paramLabel = "MODEL",
            description = "The model that made the index. Default: the file the index names.")
    Path checkpoint;

    @Option(names = "--top", paramLabel = "K", defaultValue = "10", description = "Images shown.")
    int top;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table, or json: one JSON object on standard output.")
    String format;

    @ArgGroup(exclusive = true)
    Method method = new Method();

    static final class Method {
        @Option(names = "--exact", description = "Search exactly, whatever the index's size.")
        boolean exact;

        @Option(names = "--hnsw", description = "Search the HNSW graph (the one stored beside the index, or one "
                + "built in memory), whatever the index's size. Default: exact below " + SearchMethod.HNSW_FROM
                + " images, the graph from there on.")
        boolean hnsw;

        SearchMethod chosen() {
            return exact ? SearchMethod.EXACT : hnsw ? SearchMethod.HNSW : SearchMethod.AUTO;
        }
    }

    @Option(names = "--candidates", paramLabel = "N", defaultValue = "" + HnswSearch.DEFAULT_CANDIDATES,
            description = "Images the HNSW graph is searched for before they are scored exactly and the best K kept.")
    int candidates;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((text == null) == (image == null)) {
            throw new BadInputException("search: give either a caption or --image FILE");
        }
        if (text != null && text.isBlank()) {
            throw new BadInputException("search: the caption is empty");
        }
        if (!format.equals("table") && !format.equals("json")) {
            throw new BadInputException("--format must be table or json, got " + format);
        }
        Options.range("--top", top, 1, 10_000);
        Options.range("--candidates", candidates, 1, 100_000);
        IndexFile index = IndexFile.read(indexFile);
        Path modelPath = checkpoint != null ? checkpoint : Path.of(index.model().source());
        if (checkpoint == null && !java.nio.file.Files.exists(modelPath)) {
            throw new BadInputException(indexFile + " was made with the model " + modelPath
                    + ", which is not there any more: give its new place with --checkpoint");
        }
        ClipModel model = Checkpoints.load(modelPath);
        index.model().requireSameAs(ModelIdentity.of(model, modelPath), indexFile);
        List<Hit> hits;
        String how;
        double millis;
        try (Backend backend = compute.create(err)) {
            float[] query = embedQuery(model, backend);
            SearchMethod.Opened opened = method.chosen().open(index, indexFile, backend, candidates);
            try (ImageSearch search = opened.search()) {
                long started = System.nanoTime();
                hits = search.search(query, top);
                millis = (System.nanoTime() - started) / 1e6;
                how = opened.how();
            }
        }
        if (format.equals("json")) {
            out.println(json(index, hits, how.substring(0, how.indexOf(':')), millis));
        } else {
            out.printf("%d images searched (%s) in %.2f ms%n", index.size(), how, millis);
            out.printf("%4s  %7s  %s%n", "rank", "score", "path");
            for (int i = 0; i < hits.size(); i++) {
                out.printf("%4d  %7.4f  %s%n", i + 1, hits.get(i).score(), hits.get(i).path());
            }
        }
        return Main.OK;
    }

    private float[] embedQuery(ClipModel model, Backend backend) {
        ClipGraph graph = ClipGraph.forEncoding(model, backend, 1);
        if (text != null) {
            return Embeddings.ofCaptions(graph, List.of(text), 1);
        }
        return Embeddings.ofImages(graph, ModelInputs.read(List.of(image), model.config()), 1);
    }

    private String json(IndexFile index, List<Hit> hits, String methodName, double millis) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("query", text != null ? Map.of("text", text) : Map.of("image", image.toString()));
        json.put("index", indexFile.toString());
        json.put("images", index.size());
        json.put("method", methodName);
        json.put("milliseconds", millis);
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("rank", i + 1);
            result.put("path", hits.get(i).path());
            result.put("score", hits.get(i).score());
            results.add(result);
        }
        json.put("results", results);
        try {
            return new ObjectMapper().writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write plain values as JSON", e);
        }
    }
}

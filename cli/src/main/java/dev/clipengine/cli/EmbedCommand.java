package dev.clipengine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.data.Example;
import dev.clipengine.data.TsvDataset;
import dev.clipengine.eval.Embeddings;
import dev.clipengine.io.ModelFile;
import dev.clipengine.io.SafeTensors;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code clip-engine embed}: unit-length embeddings of images and captions, written as a
 * safetensors file ({@code image_embeddings [images, dim]}, {@code text_embeddings [captions, dim]},
 * rows in input order, the inputs listed in the metadata) that numpy and PyTorch read.
 */
@Command(name = "embed", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, showDefaultValues = true,
        description = "Write the embeddings of images and captions to a safetensors file.")
public final class EmbedCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "FILE", required = true, description = "The model file.")
    Path checkpoint;

    @Option(names = "--images", paramLabel = "PATH", split = ",",
            description = "PNG or JPEG files or folders of them, comma-separated.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--tsv", paramLabel = "FILE", description = "A TSV of pairs: embeds its images and its captions.")
    Path tsv;

    @Option(names = "--captions", paramLabel = "TEXT", description = "A caption to embed (repeatable).")
    List<String> captions = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The safetensors file to write.")
    Path out;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        OutputFiles.requireWritable(out, "--out");
        ClipModel model = ModelFile.load(checkpoint);
        List<String> imageNames = new ArrayList<>();
        List<Example> pixels = new ArrayList<>();
        List<String> texts = new ArrayList<>(captions);
        List<Path> files = ModelInputs.imageFiles(images);
        try (LoadingProgress loading = new LoadingProgress(console, false, "reading images")) {
            pixels.addAll(ModelInputs.read(files, model.config(), loading));
        }
        files.forEach(f -> imageNames.add(f.toString()));
        if (tsv != null) {
            List<Example> rows;
            try (LoadingProgress loading = new LoadingProgress(console, false, "reading " + tsv.getFileName())) {
                rows = TsvDataset.readPairs(tsv, model.config().imageSize(), model.config().channels(),
                        model.config().resampling(), loading);
            }
            for (int i = 0; i < rows.size(); i++) {
                pixels.add(rows.get(i));
                imageNames.add(tsv + ", row " + (i + 1));
                texts.add(rows.get(i).caption());
            }
        }
        if (pixels.isEmpty() && texts.isEmpty()) {
            throw new BadInputException("nothing to embed: give --images, --tsv or --captions");
        }
        int dim = model.config().embedDim();
        int batch = Math.max(1, Math.min(256, Math.max(pixels.size(), texts.size())));
        try (Backend backend = compute.create()) {
            ClipGraph graph = ClipGraph.create(model, backend, batch);
            List<Tensor> tensors = new ArrayList<>();
            if (!pixels.isEmpty()) {
                tensors.add(new Tensor("image_embeddings", new int[] {pixels.size(), dim},
                        Embeddings.ofImages(graph, pixels, batch)));
            }
            if (!texts.isEmpty()) {
                tensors.add(new Tensor("text_embeddings", new int[] {texts.size(), dim},
                        Embeddings.ofCaptions(graph, texts, batch)));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            ObjectMapper json = new ObjectMapper();
            metadata.put("format", "clip-engine-embeddings");
            metadata.put("model", checkpoint.toString());
            metadata.put("images", json.writeValueAsString(imageNames));
            metadata.put("captions", json.writeValueAsString(texts));
            SafeTensors.write(out, metadata, tensors);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write plain lists as JSON", e);
        } catch (IOException e) {
            throw new BadInputException("cannot write " + out + " (" + e.getMessage() + ")");
        }
        console.printf("%d image and %d caption embeddings of %d values written to %s%n", pixels.size(), texts.size(),
                dim, out);
        return Main.OK;
    }
}

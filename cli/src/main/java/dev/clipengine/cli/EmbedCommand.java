package dev.clipengine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.data.Example;
import dev.clipengine.data.ImageStream;
import dev.clipengine.data.TsvDataset;
import dev.clipengine.eval.Embeddings;
import dev.clipengine.io.Checkpoints;
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

    @Option(names = "--checkpoint", paramLabel = "MODEL", required = true,
            description = "A model: our .safetensors file, an OpenAI/open_clip .safetensors state dict, or a Hugging Face CLIPModel folder.")
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

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Images or captions encoded at once; the next batch's images are decoded meanwhile.")
    int batchSize;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        OutputFiles.requireWritable(out, "--out");
        long started = System.nanoTime();
        ClipModel model = Checkpoints.load(checkpoint);
        console.printf("model read in %.1f s%n", (System.nanoTime() - started) / 1e9);
        List<String> imageNames = new ArrayList<>();
        List<String> texts = new ArrayList<>(captions);
        List<Path> files = ModelInputs.imageFiles(images);
        files.forEach(f -> imageNames.add(f.toString()));
        List<Example> rows = List.of();
        if (tsv != null) {
            try (LoadingProgress loading = new LoadingProgress(console, false, "reading " + tsv.getFileName())) {
                rows = TsvDataset.readPairs(tsv, model.config().imageSize(), model.config().channels(),
                        model.config().resampling(), loading);
            }
            for (int i = 0; i < rows.size(); i++) {
                imageNames.add(tsv + ", row " + (i + 1));
                texts.add(rows.get(i).caption());
            }
        }
        if (imageNames.isEmpty() && texts.isEmpty()) {
            throw new BadInputException("nothing to embed: give --images, --tsv or --captions");
        }
        Options.range("--batch-size", batchSize, 1, 4096);
        int dim = model.config().embedDim();
        int batch = Math.min(batchSize, Math.max(imageNames.size(), texts.size()));
        try (Backend backend = compute.create(spec.commandLine().getErr())) {
            ClipGraph graph = ClipGraph.forEncoding(model, backend, batch);
            List<Tensor> tensors = new ArrayList<>();
            if (!imageNames.isEmpty()) {
                started = System.nanoTime();
                float[] embeddings = new float[imageNames.size() * dim];
                if (!files.isEmpty()) {
                    try (LoadingProgress loading = new LoadingProgress(console, false, "encoding images");
                         ImageStream stream = new ImageStream(files, ModelInputs.decoder(model.config()), loading,
                                 2 * batch, ImageStream.defaultThreads())) {
                        System.arraycopy(Embeddings.ofImages(graph, stream, batch), 0, embeddings, 0,
                                files.size() * dim);
                    }
                }
                if (!rows.isEmpty()) {
                    System.arraycopy(Embeddings.ofImages(graph, rows, batch), 0, embeddings, files.size() * dim,
                            rows.size() * dim);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                console.printf("%d images read and encoded in %.2f s (%.1f images/s)%n", imageNames.size(), seconds,
                        imageNames.size() / seconds);
                tensors.add(new Tensor("image_embeddings", new int[] {imageNames.size(), dim}, embeddings));
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
        console.printf("%d image and %d caption embeddings of %d values written to %s%n", imageNames.size(),
                texts.size(),
                dim, out);
        return Main.OK;
    }
}

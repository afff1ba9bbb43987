package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.ImageStream;
import dev.clipengine.data.LoadProgress;
import dev.clipengine.eval.Embeddings;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code clip-engine classify IMAGE... --labels a,b,c}: each image's labels ranked, CLIP's zero-shot way. */
@Command(name = "classify", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, showDefaultValues = true,
        description = "Rank labels for each image by the model's probabilities (zero-shot).")
public final class ClassifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "PNG or JPEG files, or folders of them.")
    List<Path> images;

    @Option(names = "--checkpoint", paramLabel = "MODEL", required = true,
            description = "A model: our .safetensors file, an OpenAI/open_clip .safetensors state dict, or a Hugging Face CLIPModel folder.")
    Path checkpoint;

    @Option(names = "--labels", paramLabel = "A,B,...", required = true, split = ",",
            description = "The candidate labels, comma-separated.")
    List<String> labels;

    @Option(names = "--template", paramLabel = "TEXT", defaultValue = "a photo of a {}",
            description = "The prompt each label is put in; {} marks the label. Repeat it for an ensemble: a "
                    + "label's embedding is then the normalised mean of its prompts', as CLIP's zero-shot does.")
    List<String> templates;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Images encoded at once; the next batch's images are decoded meanwhile.")
    int batchSize;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Labels shown per image.")
    int top;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Options.range("--top", top, 1, 1_000_000);
        Options.range("--batch-size", batchSize, 1, 4096);
        for (String template : templates) {
            if (!template.contains("{}")) {
                throw new BadInputException("--template must contain {} where the label goes, got \"" + template
                        + "\"");
            }
        }
        List<List<String>> prompts = new ArrayList<>();
        for (String label : labels) {
            if (label.isBlank()) {
                throw new BadInputException("--labels has an empty label");
            }
            prompts.add(templates.stream().map(t -> t.replace("{}", label.strip())).toList());
        }
        ClipModel model = Checkpoints.load(checkpoint);
        List<Path> files = ModelInputs.imageFiles(images);
        if (files.isEmpty()) {
            throw new BadInputException("no PNG or JPEG image in " + images);
        }
        int batch = Math.min(batchSize, Math.max(files.size(), templates.size()));
        try (Backend backend = compute.create(spec.commandLine().getErr());
             ImageStream stream = new ImageStream(files, ModelInputs.decoder(model.config()), LoadProgress.NONE,
                     2 * batch, ImageStream.defaultThreads())) {
            ClipGraph graph = ClipGraph.forEncoding(model, backend, batch);
            int dim = model.config().embedDim();
            float[] labelEmbeddings = Embeddings.ofClasses(graph, prompts, batch);
            float[] imageEmbeddings = Embeddings.ofImages(graph, stream, batch);
            double scale = Math.exp(model.logitScale());
            for (int i = 0; i < files.size(); i++) {
                double[] probabilities = softmax(imageEmbeddings, i, labelEmbeddings, labels.size(), dim, scale);
                Integer[] order = new Integer[labels.size()];
                Arrays.setAll(order, k -> k);
                Arrays.sort(order, (a, b) -> Double.compare(probabilities[b], probabilities[a]));
                out.println(files.get(i));
                for (int r = 0; r < Math.min(top, order.length); r++) {
                    out.printf("  %6.2f%%  %s%n", 100 * probabilities[order[r]], labels.get(order[r]).strip());
                }
            }
        }
        return Main.OK;
    }

    /** softmax over labels of scale * cos(image, label), as the model's logits are formed. */
    private static double[] softmax(float[] images, int i, float[] labels, int count, int dim, double scale) {
        double[] logits = new double[count];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < count; k++) {
            double dot = 0;
            for (int d = 0; d < dim; d++) {
                dot += (double) images[i * dim + d] * labels[k * dim + d];
            }
            logits[k] = scale * dot;
            max = Math.max(max, logits[k]);
        }
        double sum = 0;
        for (int k = 0; k < count; k++) {
            logits[k] = Math.exp(logits[k] - max);
            sum += logits[k];
        }
        for (int k = 0; k < count; k++) {
            logits[k] /= sum;
        }
        return logits;
    }
}

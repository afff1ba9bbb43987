package dev.clipengine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A training checkpoint (docs/formats.md): the model's tensors, the optimizer's
 * {@code optimizer.<moment>.<tensor>} tensors, and in the metadata, besides the model's keys,
 * {@code training}: a JSON object with where training stands and how it was run.
 */
public final class TrainingCheckpoint {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{8,18})\\.safetensors");

    /** What a checkpoint holds. */
    public record Contents(ClipModel model, Map<String, Tensor> optimizer, JsonNode training, Path file) {
    }

    private TrainingCheckpoint() {
    }

    /** {@code ckpt-<step, 8 digits>.safetensors}. */
    public static String fileName(long step) {
        return String.format("ckpt-%08d.safetensors", step);
    }

    /** Writes atomically: a crash mid-write leaves any earlier checkpoint whole. */
    public static void save(Path file, ClipModel model, List<Tensor> optimizerState, Map<String, Object> training)
            throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>(ModelFile.metadata(model));
        metadata.put("training", JSON.writeValueAsString(training));
        List<Tensor> tensors = new ArrayList<>(model.tensors());
        tensors.addAll(optimizerState);
        SafeTensors.write(file, metadata, tensors);
    }

    /**
     * Reads a checkpoint file, or the newest complete one of a folder (files that fail to read,
     * e.g. cut short or failing their checksum, are skipped).
     */
    public static Contents load(Path path) {
        if (Files.isDirectory(path)) {
            return newest(path);
        }
        SafeTensors.Contents contents = SafeTensors.read(path);
        String training = contents.metadata().get("training");
        if (training == null) {
            throw new BadInputException(path + ": not a training checkpoint (its metadata has no 'training' entry; "
                    + "a model file goes to --init)");
        }
        JsonNode node;
        try {
            node = JSON.readTree(training);
        } catch (JsonProcessingException e) {
            throw new BadInputException(path + ": its 'training' metadata is not valid JSON");
        }
        if (!node.isObject()) {
            throw new BadInputException(path + ": its 'training' metadata is not a JSON object");
        }
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        contents.tensors().forEach((name, t) -> {
            if (name.startsWith("optimizer.")) {
                optimizer.put(name, t);
            }
        });
        return new Contents(ModelFile.fromContents(contents, path.toString()), optimizer, node, path);
    }

    /** Deletes all but the newest {@code keep} checkpoints of the folder. */
    public static void keepNewest(Path folder, int keep) throws IOException {
        List<Path> all;
        try (Stream<Path> files = Files.list(folder)) {
            all = files.filter(f -> NAME.matcher(f.getFileName().toString()).matches())
                    .sorted((a, b) -> Long.compare(step(b), step(a)))
                    .toList();
        }
        for (Path old : all.subList(Math.min(keep, all.size()), all.size())) {
            Files.deleteIfExists(old);
        }
    }

    private static Contents newest(Path folder) {
        List<Path> candidates;
        try (Stream<Path> files = Files.list(folder)) {
            candidates = files.filter(f -> NAME.matcher(f.getFileName().toString()).matches())
                    .sorted((a, b) -> step(b) != step(a) ? Long.compare(step(b), step(a)) : b.compareTo(a))
                    .toList();
        } catch (IOException e) {
            throw new BadInputException(folder + ": cannot list the folder (" + e.getMessage() + ")");
        }
        List<String> skipped = new ArrayList<>();
        for (Path candidate : candidates) {
            try {
                return load(candidate);
            } catch (BadInputException e) {
                skipped.add(candidate.getFileName().toString());
            }
        }
        throw new BadInputException(folder + ": no complete checkpoint (ckpt-<step>.safetensors) to resume from"
                + (skipped.isEmpty() ? "" : "; unreadable: " + String.join(", ", skipped)));
    }

    private static long step(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }
}

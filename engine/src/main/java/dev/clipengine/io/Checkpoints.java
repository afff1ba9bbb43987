package dev.clipengine.io;

import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any model a user may name with {@code --checkpoint} or {@code --init}: our model and training
 * files, an OpenAI/open_clip state dict in safetensors (with open_clip's sidecar config, or an
 * open_clip hub folder), or a Hugging Face {@code CLIPModel} folder. The layout is told from the
 * file itself, never from its name alone (docs/checkpoints.md).
 */
public final class Checkpoints {

    /** open_clip's hub folder: these two files side by side. */
    public static final String OPEN_CLIP_WEIGHTS = "open_clip_model.safetensors";

    private Checkpoints() {
    }

    /** The model at {@code path}; anything unreadable, unknown or mis-shaped is one line naming it. */
    public static ClipModel load(Path path) {
        if (!Files.exists(path)) {
            throw new BadInputException(path + ": no such file or folder");
        }
        if (Files.isDirectory(path)) {
            return loadFolder(path);
        }
        if (RegularFiles.isSpecial(path)) {
            throw new BadInputException(path + ": " + RegularFiles.NOT_REGULAR);
        }
        if (PickledFiles.isPickled(path)) {
            throw new BadInputException(path + ": " + PickledFiles.REFUSAL);
        }
        SafeTensors.Contents contents = SafeTensors.read(path);
        if (contents.metadata().containsKey("config")) {
            return ModelFile.fromContents(contents, path.toString());
        }
        if (OpenAiLayout.matches(contents.tensors())) {
            ClipModel model = OpenAiLayout.model(contents.tensors(), path);
            ModelFile.requireFinite(model, path.toString());
            return model;
        }
        if (contents.tensors().keySet().stream().anyMatch(name -> name.startsWith("vision_model."))) {
            throw new BadInputException(path + ": the weights of a Hugging Face CLIPModel; give the folder that holds "
                    + "them with its " + HuggingFaceFolder.CONFIG);
        }
        throw new BadInputException(path + ": an unknown layout: not a clip-engine model (no 'config' metadata), nor "
                + "an OpenAI/open_clip state dict (no " + "visual.conv1.weight), nor a Hugging Face CLIPModel");
    }

    private static ClipModel loadFolder(Path folder) {
        if (HuggingFaceFolder.matches(folder)) {
            return HuggingFaceFolder.load(folder);
        }
        Path openClip = folder.resolve(OPEN_CLIP_WEIGHTS);
        if (Files.exists(folder.resolve(OpenAiLayout.SIDECAR)) && Files.exists(openClip)) {
            return load(openClip);
        }
        Path pickle = folder.resolve("open_clip_pytorch_model.bin");
        if (Files.exists(pickle)) {
            throw new BadInputException(pickle + ": " + PickledFiles.REFUSAL);
        }
        throw new BadInputException(folder + ": not a model folder: expected " + HuggingFaceFolder.CONFIG
                + " (Hugging Face) or " + OpenAiLayout.SIDECAR + " with " + OPEN_CLIP_WEIGHTS + " (open_clip)");
    }
}

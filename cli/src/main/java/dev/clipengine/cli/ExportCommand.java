package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.io.HuggingFaceExport;
import dev.clipengine.model.ClipModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code clip-engine export}: a model in another program's layout. */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, showDefaultValues = true,
        description = "Write a model in another program's layout: hf, a Hugging Face CLIPModel folder.")
public final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "MODEL", required = true,
            description = "A model: our .safetensors file, an OpenAI/open_clip .safetensors state dict, or a Hugging "
                    + "Face CLIPModel folder.")
    Path checkpoint;

    @Option(names = "--format", paramLabel = "FORMAT", required = true,
            description = "hf: a folder that transformers' CLIPModel.from_pretrained and CLIPProcessor read.")
    String format;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The folder to write; must not exist.")
    Path out;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        if (!format.equals("hf")) {
            throw new BadInputException("--format must be hf, got '" + format + "' (our own files are already "
                    + "OpenAI/open_clip state dicts under their names)");
        }
        ClipModel model = Checkpoints.load(checkpoint);
        try {
            HuggingFaceExport.write(model, out);
        } catch (IOException e) {
            throw new BadInputException("cannot write " + out + " (" + e.getMessage() + ")");
        }
        spec.commandLine().getOut().println("wrote a Hugging Face CLIPModel folder to " + out);
        return Main.OK;
    }
}

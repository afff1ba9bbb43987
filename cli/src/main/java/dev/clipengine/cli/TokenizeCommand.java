package dev.clipengine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tokenizer;
import dev.clipengine.model.TransformerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code clip-engine tokenize}: the token ids a model gives each text, unpadded, one JSON array a
 * line, for seeing what a prompt becomes.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, showDefaultValues = true,
        description = "Print the token ids a model gives each text (unpadded), one JSON array a line.")
public final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "MODEL", required = true,
            description = "A model: our .safetensors file, an OpenAI/open_clip .safetensors state dict, or a Hugging "
                    + "Face CLIPModel folder.")
    Path checkpoint;

    @Parameters(paramLabel = "TEXT", arity = "1..*", description = "The texts to tokenize.")
    List<String> texts;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        ClipModel model = Checkpoints.load(checkpoint);
        Tokenizer tokenizer = Tokenizer.of(model);
        boolean padded = model.config() instanceof TransformerConfig;
        ObjectMapper json = new ObjectMapper();
        for (String text : texts) {
            int[] ids = tokenizer.encode(text, "text \"" + text + "\"");
            out.println(json.writeValueAsString(padded ? unpadded(ids) : ids));
        }
        return Main.OK;
    }

    /**
     * The row without its padding: up to the last id that is not 0. The row ends with the
     * end-of-text token, so a 0 inside the text (a word the vocabulary lacks, or CLIP's "!") stays.
     */
    private static int[] unpadded(int[] ids) {
        int length = ids.length;
        while (length > 0 && ids[length - 1] == 0) {
            length--;
        }
        return Arrays.copyOf(ids, length);
    }
}

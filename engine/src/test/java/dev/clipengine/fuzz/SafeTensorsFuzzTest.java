package dev.clipengine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.clipengine.BadInputException;
import dev.clipengine.io.ModelFile;
import dev.clipengine.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes given to the safetensors reader, and what it reads given to the model loader, either
 * read or fail with a one-line {@link BadInputException}: never another exception, an
 * OutOfMemoryError or a hang, and never allocating beyond what the file holds. Seeds in
 * SafeTensorsFuzzTestInputs, among them a whole model file.
 */
class SafeTensorsFuzzTest {

    private static final Path FILE = FuzzFiles.temporaryFile(".safetensors");

    @FuzzTest(maxDuration = "12s")
    void readsOrRefuses(@WithLength(max = FuzzChecks.MAX_INPUT_BYTES) byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        FuzzChecks.readsOrRefusesWithin(bytes.length, "reading a model file", () -> {
            SafeTensors.Contents contents = SafeTensors.read(FILE);
            ModelFile.fromContents(contents, FILE.toString());
        });
    }
}

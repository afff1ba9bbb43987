package dev.clipengine.cli;

import dev.clipengine.io.ModelFile;
import dev.clipengine.model.ClipModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** --word-vectors sets the vocabulary and starting embeddings; --freeze-word-vectors keeps them fixed. */
class WordVectorsCommandTest {

    private static final List<String> WORDS = List.of("a", "red", "blue", "green", "small", "big", "circle", "square");

    @Test
    void pretrainedVectorsStartTheTableAndFrozenOnesStayExactly(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder(WORDS.size() + " 4\n");
        for (int w = 0; w < WORDS.size(); w++) {
            text.append(WORDS.get(w));
            for (int d = 0; d < 4; d++) {
                text.append(' ').append(0.25f * (w + 1) - 0.5f * d);
            }
            text.append('\n');
        }
        Path vectors = dir.resolve("words.txt");
        Files.writeString(vectors, text);

        for (boolean frozen : new boolean[] {true, false}) {
            Path out = dir.resolve("m-" + frozen + ".safetensors");
            TrainCommandTest.Result r = TrainCommandTest.run(frozen
                    ? new String[] {"train", "--model", "seed", "--word-vectors", vectors.toString(), "--vocab-size", "7",
                            "--freeze-word-vectors", "--steps", "10", "--batch-size", "8", "--quiet", "--out", out.toString()}
                    : new String[] {"train", "--model", "seed", "--word-vectors", vectors.toString(), "--vocab-size", "7",
                            "--steps", "10", "--batch-size", "8", "--quiet", "--out", out.toString()});
            assertEquals(0, r.status(), r.err());
            ClipModel model = ModelFile.load(out);
            assertEquals(List.of("<unk>", "a", "red", "blue", "green", "small", "big"), model.vocabulary().words());
            assertEquals(4, ((dev.clipengine.model.MlpConfig) model.config()).wordDim());
            float[] table = model.tensor(ClipModel.TOKEN_EMBEDDING).data();
            for (int w = 0; w < 6; w++) {
                for (int d = 0; d < 4; d++) {
                    float start = 0.25f * (w + 1) - 0.5f * d;
                    if (frozen) {
                        assertEquals(start, table[(w + 1) * 4 + d], WORDS.get(w) + "[" + d + "] stays fixed");
                    } else if (w == 1 && d == 0) {
                        assertNotEquals(start, table[(w + 1) * 4 + d], "'red' is trained when not frozen");
                    }
                }
            }
        }
    }
}

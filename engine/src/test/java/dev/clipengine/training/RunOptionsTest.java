package dev.clipengine.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run options a checkpoint keeps, and which saved options a resumed run accepts. */
class RunOptionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RunOptions OPTIONS = new RunOptions("shapes", 0.1, new TrainingOptions(0, 3, 16, 0.002,
            "adamw", 0f, 0.1f, 0.9, 0.98, 1e-6f, 7, true, "cosine", -1, 0, 0, Set.of()), 300, 30);

    private static ObjectNode saved() {
        return JSON.valueToTree(OPTIONS.toMap());
    }

    @Test
    void theSameOptionsResume() {
        assertDoesNotThrow(() -> OPTIONS.requireSameAs(saved(), "ckpt"));
    }

    @Test
    void aDifferentOptionIsNamed() {
        ObjectNode other = saved().put("lr", 0.003);
        String message = assertThrows(BadInputException.class, () -> OPTIONS.requireSameAs(other, "ckpt")).getMessage();
        assertTrue(message.contains("lr = 0.003"), message);
    }

    @Test
    void aCheckpointOfBeforeTheVersionAndTheLocksResumes() {
        ObjectNode older = saved();
        older.remove("format_version");
        older.remove("lock_image");
        older.remove("lock_text");
        assertDoesNotThrow(() -> OPTIONS.requireSameAs(older, "ckpt"));
    }

    @Test
    void aNewerFormatIsRefused() {
        ObjectNode newer = saved().put("format_version", RunOptions.FORMAT_VERSION + 1);
        String message = assertThrows(BadInputException.class, () -> OPTIONS.requireSameAs(newer, "ckpt")).getMessage();
        assertTrue(message.contains("newer"), message);
    }

    @Test
    void betasSavedFromTheirFloatValuesAgree() {
        ObjectNode floats = saved().put("beta1", (double) 0.9f);
        assertDoesNotThrow(() -> OPTIONS.requireSameAs(floats, "ckpt"));
    }
}

package dev.clipengine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class InterleavedStepTest {

    /**
     * {@code --by-operator} prints one row per operator with a time on every backend and their
     * ratio, the products by shape among them, and the operators every transformer step calls.
     */
    @Test
    void byOperatorTimesEveryOperatorOnBothBackends() {
        String out = run("--model", "vit-tiny", "--backends", "scalar,vector", "--threads", "1", "--batch", "2",
                "--warmup", "1", "--rounds", "2", "--by-operator");
        assertTrue(out.contains("scalar/vector speed: median"), out);
        assertTrue(out.contains("| operator | calls a round | `scalar` ms | `vector` ms | `scalar`/`vector` speed |"), out);
        Pattern row = Pattern.compile("\\| (\\S[^|]*) \\| (\\d+) \\| (\\d+\\.\\d\\d) \\| (\\d+\\.\\d\\d) \\| (\\d+\\.\\d\\d) \\|");
        List<String> operators = out.lines().map(row::matcher).filter(java.util.regex.Matcher::matches)
                .map(m -> m.group(1)).toList();
        for (String expected : List.of("attention", "attentionBackward", "layerNorm", "layerNormBackward", "adamwStep")) {
            assertTrue(operators.contains(expected), expected + " missing from\n" + out);
        }
        assertTrue(operators.stream().anyMatch(name -> name.matches("sgemm \\d+T?x\\d+T?x\\d+")), out);
        assertEquals(operators.size(), operators.stream().distinct().count(), out);
    }

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            InterleavedStep.main(args);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}

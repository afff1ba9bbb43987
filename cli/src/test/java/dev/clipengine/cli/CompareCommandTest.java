package dev.clipengine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short {@code compare}: the backends' losses agree, and the table and JSON say so. */
class CompareCommandTest {

    @Test
    void backendsTrainingInTurnsAgreeStepByStep(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("compare.json");
        TrainCommandTest.Result r = TrainCommandTest.run("compare", "--backends", "vector,blas,scalar", "--steps", "12",
                "--batch-size", "32", "--turn", "5", "--threads", "2", "--json", json.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("largest relative loss difference"), r.out());
        assertTrue(r.out().contains("speed-up"), r.out());

        JsonNode compared = new ObjectMapper().readTree(json.toFile());
        assertEquals(12, compared.get("steps").asInt());
        assertEquals(3, compared.get("backends").size());
        double largest = compared.get("max_loss_rel_diff").asDouble();
        assertTrue(largest < 1e-4, "losses differ by " + largest + " relative");
        for (JsonNode backend : compared.get("backends")) {
            assertEquals(12, backend.get("losses").size(), backend.get("backend").asText());
            assertTrue(backend.get("pairs_per_second").asDouble() > 0);
            assertTrue(backend.get("max_weight_diff").asDouble() < 1e-4, backend.toString());
        }
        // the losses are each backend's own: taking turns must not have mixed their data order
        JsonNode vector = compared.get("backends").get(0).get("losses");
        double[] table = new double[12];
        for (int i = 0; i < 12; i++) {
            table[i] = vector.get(i).asDouble();
        }
        TrainCommandTest.Result alone = TrainCommandTest.run("train", "--backend", "vector", "--threads", "2", "--steps",
                "12", "--batch-size", "32", "--out", dir.resolve("m.safetensors").toString(), "--log-every", "1",
                "--no-pictures");
        assertEquals(0, alone.status(), alone.err());
        JsonNode last = new ObjectMapper().readTree(java.nio.file.Files.readAllLines(dir.resolve("metrics.jsonl"))
                .getLast());
        assertEquals(table[11], last.get("loss").asDouble(), 0.0, "compare's vector run equals a train run");
    }

    @Test
    void badBackendListsGiveOneLine() {
        for (String[] args : new String[][] {
                {"compare", "--backends", "vector"},
                {"compare", "--backends", "vector,vector"},
                {"compare", "--backends", "vector,cuda"},
                {"compare", "--turn", "0"},
                {"compare", "--resume", "x"},
        }) {
            TrainCommandTest.Result r = TrainCommandTest.run(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }
}

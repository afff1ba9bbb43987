package dev.clipengine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --spark} where the Spark engine is not on the class path (as in the core jar), and bad flags. */
class SparkFlagsTest {

    @Test
    void withoutTheSparkModuleOneLineAndStatus2BeforeAnyWork(@TempDir Path dir) {
        Path out = dir.resolve("model.safetensors");
        TrainCommandTest.Result r = TrainCommandTest.run("train", "--spark", "local[2]", "--steps", "3",
                "--out", out.toString());
        assertEquals(2, r.status(), r.err());
        assertEquals("clip-engine: --spark needs the Spark engine, which this jar lacks: run clip-engine-spark.jar "
                + "(built in spark/target by ./build; docs/spark.md)", r.err().strip());
        assertFalse(Files.exists(out), "nothing written");
        assertTrue(r.out().isEmpty(), r.out());
    }

    @Test
    void partitionsWithoutSparkOrBeyondTheBatchAreRefused() {
        TrainCommandTest.Result alone = TrainCommandTest.run("train", "--partitions", "4", "--steps", "3");
        assertEquals(2, alone.status());
        assertEquals("clip-engine: --partitions goes with --spark MASTER", alone.err().strip());
        TrainCommandTest.Result tooMany = TrainCommandTest.run("train", "--spark", "local[2]", "--partitions", "9",
                "--batch-size", "8", "--steps", "3");
        assertEquals(2, tooMany.status());
        assertTrue(tooMany.err().strip().startsWith("clip-engine: --partitions must be"), tooMany.err());
    }

    @Test
    void partitionsBeyondTheModelsDefaultBatchAreRefusedBeforeTheDataIsRead(@TempDir Path dir) {
        // a new transformer's default batch is 64; the card's is 128
        Path out = dir.resolve("model.safetensors");
        TrainCommandTest.Result r = TrainCommandTest.run("train", "--spark", "local[2]", "--partitions", "100",
                "--model", "vit-tiny", "--out", out.toString());
        assertEquals(2, r.status(), r.err());
        assertEquals("clip-engine: --partitions must be in 1..64, got 100", r.err().strip());
        assertTrue(r.out().isEmpty(), "refused before loading: " + r.out());
        assertFalse(Files.exists(out), "nothing written");
    }
}

package dev.clipengine.cli;

import dev.clipengine.io.ModelFile;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run resumed from a checkpoint ends with the weights of the uninterrupted run, bit for bit. */
class ResumeTest {

    /** The run's options; a resumed run takes its model from the checkpoint, so it gives no --model. */
    private static String[] args(Path out, String... more) {
        return options(out, "0.01", more);
    }

    private static String[] options(Path out, String lr, String... more) {
        String[] base = {"train", "--steps", "37", "--batch-size", "16", "--lr", lr, "--schedule", "cosine",
                "--warmup", "5", "--clip-grad", "1", "--quiet", "--out", out.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void resumingMidEpochGivesTheUninterruptedWeights(@TempDir Path dir) throws java.io.IOException {
        for (String optimizer : new String[] {"adamw", "sgd"}) {
            Path whole = dir.resolve(optimizer + "-whole.safetensors");
            Path checkpoints = dir.resolve(optimizer + "-ckpt");
            String[] extra = optimizer.equals("sgd") ? new String[] {"--optimizer", "sgd", "--momentum", "0.9"}
                    : new String[] {"--weight-decay", "0.1"};
            TrainCommandTest.Result first = TrainCommandTest.run(concat(args(whole, extra),
                    "--model", "seed", "--save-every", "10", "--save-dir", checkpoints.toString()));
            assertEquals(0, first.status(), first.err());
            assertTrue(Files.exists(checkpoints.resolve("ckpt-00000030.safetensors")));

            Path resumed = dir.resolve(optimizer + "-resumed.safetensors");
            TrainCommandTest.Result second = TrainCommandTest.run(concat(args(resumed, extra),
                    "--resume", checkpoints.resolve("ckpt-00000020.safetensors").toString()));
            assertEquals(0, second.status(), second.err());
            assertBitwiseEqual(ModelFile.load(whole), ModelFile.load(resumed), optimizer);

            // a folder resumes from its newest checkpoint
            Path fromFolder = dir.resolve(optimizer + "-folder.safetensors");
            assertEquals(0, TrainCommandTest.run(concat(args(fromFolder, extra), "--resume", checkpoints.toString()))
                    .status());
            assertBitwiseEqual(ModelFile.load(whole), ModelFile.load(fromFolder), optimizer + " from the folder");

            // a corrupt newest checkpoint (one data byte flipped: its sha256 fails) is skipped for the one before
            Path newest = checkpoints.resolve("ckpt-00000030.safetensors");
            byte[] bytes = java.nio.file.Files.readAllBytes(newest);
            bytes[bytes.length - 5] ^= 0x40;
            java.nio.file.Files.write(newest, bytes);
            Path pastCorrupt = dir.resolve(optimizer + "-past-corrupt.safetensors");
            assertEquals(0, TrainCommandTest.run(concat(args(pastCorrupt, extra), "--resume", checkpoints.toString()))
                    .status());
            assertBitwiseEqual(ModelFile.load(whole), ModelFile.load(pastCorrupt), optimizer + " past a corrupt file");
        }
    }

    @Test
    void resumingWithOtherOptionsIsRefused(@TempDir Path dir) {
        Path out = dir.resolve("m.safetensors");
        assertEquals(0, TrainCommandTest.run(concat(args(out), "--model", "seed", "--save-every", "10")).status());
        String[] changed = options(dir.resolve("n.safetensors"), "0.02");
        TrainCommandTest.Result r = TrainCommandTest.run(concat(changed, "--resume",
                dir.resolve("ckpt-00000010.safetensors").toString()));
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("lr"), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void assertBitwiseEqual(ClipModel expected, ClipModel actual, String what) {
        for (Tensor t : expected.tensors()) {
            float[] a = t.data();
            float[] b = actual.tensor(t.name()).data();
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]),
                        what + ": " + t.name() + "[" + i + "]");
            }
        }
    }
}

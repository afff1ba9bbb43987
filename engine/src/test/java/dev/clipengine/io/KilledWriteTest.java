package dev.clipengine.io;

import dev.clipengine.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process killed with SIGKILL in the middle of rewriting a file leaves the previous file whole:
 * the test kills the writer while its temporary file is still growing, shows from that file that
 * the write was cut off, and reads the target as the round before it.
 */
class KilledWriteTest {

    /** 32 MB of data: a write takes long enough to be caught in the middle. */
    private static final int VALUES = 8 << 20;
    /** Kills that must land mid-write; attempts whose kill came too late (the write had ended) are retried. */
    private static final int KILLS = 2;
    private static final int MAX_ATTEMPTS = 12;

    /** Rewrites args[0] forever, each time with every value equal to the round number. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        float[] values = new float[VALUES];
        for (int round = 1; ; round++) {
            java.util.Arrays.fill(values, round);
            SafeTensors.write(file, Map.of("round", Integer.toString(round)),
                    List.of(new Tensor("values", new int[] {values.length}, values)));
        }
    }

    @Test
    void aKillMidWriteLeavesThePreviousFileWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        int caught = 0;
        for (int attempt = 0; attempt < MAX_ATTEMPTS && caught < KILLS; attempt++) {
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), KilledWriteTest.class.getName(), file.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long complete = waitForTheFirstWholeFile(file, writer);
            // kill as soon as a later write's temporary file is seen part-written
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Path partial = null;
            while (partial == null && writer.isAlive() && System.nanoTime() < deadline) {
                partial = growingTemporaryFile(dir, file, complete);
            }
            new ProcessBuilder("kill", "-9", Long.toString(writer.pid())).start().waitFor();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the writer did not die");
            assertEquals(137, writer.exitValue(), "the writer was killed, not ended some other way");

            // the target is whole (SafeTensors.read checks its sha256) and holds one round throughout
            SafeTensors.Contents contents = SafeTensors.read(file);
            float[] values = contents.tensors().get("values").data();
            int round = Integer.parseInt(contents.metadata().get("round"));
            for (int i = 0; i < values.length; i += 4099) {
                assertEquals(round, values[i], "value " + i + " belongs to the round the metadata names");
            }
            assertEquals(round, values[values.length - 1], "the last value");
            try (var files = Files.list(dir)) {
                // a temporary file of the killed write may remain; it never takes the target's name
                assertTrue(files.allMatch(f -> f.equals(file) || f.getFileName().toString().endsWith(".tmp")));
            }

            // the killed write was cut off: its temporary file is still there, shorter than a whole file,
            // and it was writing the round after the one the target holds
            if (partial != null && Files.exists(partial) && Files.size(partial) < complete) {
                assertEquals(round + 1, roundOf(partial), "the cut-off write was the next round: " + partial);
                caught++;
            }
            deleteTemporaryFiles(dir);
            Files.delete(file);
        }
        assertEquals(KILLS, caught, "kills that landed while a write was under way");
    }

    /** Waits until the writer's first write has landed; returns the size of a whole file. */
    private static long waitForTheFirstWholeFile(Path file, Process writer) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file)) {
            assertTrue(writer.isAlive() && System.nanoTime() < deadline, "the writer wrote no file");
            Thread.sleep(2);
        }
        long size = Files.size(file);
        assertTrue(size > (long) VALUES * Float.BYTES, "a whole file holds all the data: " + size);
        return size;
    }

    /**
     * A temporary file of the target's with some of its data but not all, or null. Past the first
     * megabyte its header (written first) is certainly complete.
     */
    private static Path growingTemporaryFile(Path dir, Path file, long complete) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("." + file.getFileName() + ".") && name.endsWith(".tmp")) {
                    try {
                        long size = Files.size(f);
                        if (size > (1 << 20) && size < complete) {
                            return f;
                        }
                    } catch (java.nio.file.NoSuchFileException renamed) {
                        // it became the target meanwhile
                    }
                }
            }
        }
        return null;
    }

    /**
     * The round a cut-off write was writing: its first value. Only the header's length is read:
     * the header itself is written last, once the data's sha256 is known.
     */
    private static int roundOf(Path partial) throws IOException {
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(length, 0);
            long dataStart = Long.BYTES + length.flip().getLong();
            ByteBuffer first = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(first, dataStart);
            return (int) first.flip().getFloat();
        }
    }

    private static void deleteTemporaryFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().endsWith(".tmp")) {
                    Files.delete(f);
                }
            }
        }
    }
}

package dev.clipengine;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Named pipes for the tests that check a reader refuses one rather than waiting on it forever. */
public final class Fifo {

    private Fifo() {
    }

    /** Makes a FIFO at {@code path} with mkfifo(1), which every POSIX system has. */
    public static Path make(Path path) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo " + path);
        return path;
    }
}

package dev.clipengine.data;

import dev.clipengine.BadInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageStreamTest {

    private static final List<Path> FILES = IntStream.range(0, 37).mapToObj(i -> Path.of("img" + i + ".png")).toList();

    /** An image whose one pixel is its file's number. */
    private static Example decodeSlowly(Path file) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int number = Integer.parseInt(file.getFileName().toString().replaceAll("\\D", ""));
        return new Example(new byte[] {(byte) number}, 1, 1, file.toString(), -1);
    }

    @Test
    void imagesComeInFileOrderWhateverOrderTheyAreDecodedIn() {
        List<Integer> seen = new ArrayList<>();
        try (ImageStream stream = new ImageStream(FILES, ImageStreamTest::decodeSlowly, LoadProgress.NONE, 8, 3)) {
            for (int from = 0; from < FILES.size(); from += 5) {
                for (Example e : stream.next(Math.min(5, FILES.size() - from))) {
                    seen.add((int) e.pixels()[0]);
                }
            }
        }
        assertEquals(IntStream.range(0, 37).boxed().toList(), seen);
    }

    @Test
    void noMoreThanTheLookaheadIsDecodedAheadOfTheCaller() throws InterruptedException {
        AtomicInteger started = new AtomicInteger();
        try (ImageStream stream = new ImageStream(FILES, file -> {
            started.incrementAndGet();
            return decodeSlowly(file);
        }, LoadProgress.NONE, 6, 2)) {
            assertEquals(6, settledCount(started, 6), "decoded before anything was taken");
            stream.next(4);
            assertEquals(10, settledCount(started, 10));
        }
    }

    /**
     * Waits, however loaded the machine, until count reaches expected, then 100 ms more, and
     * returns it: a stream that decodes past its lookahead shows a larger count.
     */
    private static int settledCount(AtomicInteger count, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (count.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(100);
        return count.get();
    }

    @Test
    void aFileThatCannotBeDecodedFailsTheCallThatTakesIt() {
        try (ImageStream stream = new ImageStream(FILES, file -> {
            if (file.toString().equals("img7.png")) {
                throw new BadInputException("image img7.png: corrupt");
            }
            return decodeSlowly(file);
        }, LoadProgress.NONE, 4, 2)) {
            assertEquals(5, stream.next(5).size());
            BadInputException e = assertThrows(BadInputException.class, () -> stream.next(5));
            assertTrue(e.getMessage().contains("img7.png"));
        }
    }
}

package dev.clipengine.data;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Image files decoded on threads of their own, a bounded distance ahead of whoever takes them:
 * while the model encodes one batch, the next ones are read, decoded and resized. Images come
 * out in the order of the files; at most {@code lookahead} of them are held decoded at once, so
 * a folder of any size takes the memory of a few batches.
 */
public final class ImageStream implements AutoCloseable {

    private final List<Path> files;
    private final Function<Path, Example> decode;
    private final LoadProgress progress;
    private final int lookahead;
    private final ExecutorService pool;
    private final Deque<Future<Example>> pending = new ArrayDeque<>();
    private final AtomicInteger done = new AtomicInteger();
    private int submitted;

    /**
     * @param decode    reads one file at the model's size; its exceptions reach {@link #next(int)}
     * @param lookahead images decoded ahead of the caller (e.g. two batches)
     * @param threads   decoding threads
     */
    public ImageStream(List<Path> files, Function<Path, Example> decode, LoadProgress progress, int lookahead,
            int threads) {
        if (lookahead < 1 || threads < 1) {
            throw new IllegalArgumentException("lookahead and threads must be positive");
        }
        this.files = List.copyOf(files);
        this.decode = decode;
        this.progress = progress;
        this.lookahead = lookahead;
        this.pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("clip-engine-decode-", 0)
                .factory());
        fill();
    }

    /** Decoding threads for a machine: a few, leaving the model its cores most of the time. */
    public static int defaultThreads() {
        return Math.clamp(Runtime.getRuntime().availableProcessors() / 2, 1, 4);
    }

    public int size() {
        return files.size();
    }

    /** The next {@code count} images in file order; rethrows what went wrong decoding one of them. */
    public List<Example> next(int count) {
        List<Example> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Future<Example> future = pending.poll();
            if (future == null) {
                throw new IllegalStateException("no image left: " + files.size() + " in all");
            }
            batch.add(await(future));
            fill();
        }
        return batch;
    }

    private void fill() {
        while (submitted < files.size() && pending.size() < lookahead) {
            Path file = files.get(submitted++);
            pending.add(pool.submit(() -> {
                Example image = decode.apply(file);
                progress.loaded(done.incrementAndGet(), files.size());
                return image;
            }));
        }
    }

    private static Example await(Future<Example> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for an image");
        }
    }

    @Override
    public void close() {
        pending.forEach(f -> f.cancel(true));
        pool.shutdownNow();
    }
}

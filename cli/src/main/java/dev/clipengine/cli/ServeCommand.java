package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.api.ClipEngine;
import dev.clipengine.api.ClipInputException;
import dev.clipengine.api.EngineOptions;
import dev.clipengine.server.ClipServer;
import dev.clipengine.server.SearchIndex;
import dev.clipengine.server.ServerOptions;
import dev.clipengine.training.StopRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code clip-engine serve --checkpoint M [--index INDEX] --port P}: embeddings, zero-shot labels
 * and, with an index, image search over HTTP and JSON (docs/server.md), until SIGINT or SIGTERM stops it gracefully.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, showDefaultValues = true,
        description = "Serve embeddings and zero-shot classification over HTTP (JSON).")
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "MODEL", required = true,
            description = "A model: our .safetensors file, an OpenAI/open_clip .safetensors state dict, or a Hugging Face CLIPModel folder.")
    Path checkpoint;

    @Option(names = "--index", paramLabel = "INDEX",
            description = "An index written by clip-engine index with this model: enables POST /search.")
    Path index;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8080", description = "Port to listen on; 0 takes a free one.")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on. Anything but loopback lets other machines in: set a token.")
    String host;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file whose first line is the bearer token every request must carry.")
    Path tokenFile;

    @Option(names = "--encoders", paramLabel = "N", defaultValue = "1",
            description = "Requests encoded at the same time, each encoder with its own buffers and threads.")
    int encoders;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "16",
            description = "Requests waiting for an encoder; beyond them a request is answered 503.")
    int queue;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Images or texts an encoder takes at once.")
    int batchSize;

    @Option(names = "--max-items", paramLabel = "N", defaultValue = "64",
            description = "Most images and texts in one request.")
    int maxItems;

    @Option(names = "--max-body-mb", paramLabel = "MB", defaultValue = "16",
            description = "Largest request body; a larger one is answered 413.")
    int maxBodyMegabytes;

    @Option(names = "--max-image-megapixels", paramLabel = "MP", defaultValue = "40",
            description = "Largest image decoded; a larger one is answered 422.")
    int maxImageMegapixels;

    @Option(names = "--shutdown-seconds", paramLabel = "S", defaultValue = "10",
            description = "How long a stop waits for the requests in progress.")
    int shutdownSeconds;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Options.range("--port", port, 0, 65_535);
        Options.range("--encoders", encoders, 1, EngineOptions.MAX_CONCURRENCY);
        Options.range("--queue", queue, 0, 10_000);
        Options.range("--batch-size", batchSize, 1, EngineOptions.MAX_BATCH);
        Options.range("--max-items", maxItems, 1, 100_000);
        Options.range("--max-body-mb", maxBodyMegabytes, 1, 2047);
        Options.range("--max-image-megapixels", maxImageMegapixels, 1, 100);
        Options.range("--shutdown-seconds", shutdownSeconds, 0, 3600);
        if (host.isBlank()) {
            throw new BadInputException("--host is blank");
        }
        String token = tokenFile == null ? null : readToken(tokenFile);
        EngineOptions engineOptions = EngineOptions.defaults().withBackend(compute.backend)
                .withThreads(compute.threads == null ? 0 : compute.threadCount()).withConcurrency(encoders)
                .withMaxBatch(batchSize);
        ServerOptions serverOptions = new ServerOptions(host, port, token, maxBodyMegabytes * 1_048_576L,
                maxImageMegapixels * 1_000_000L, maxItems, queue, shutdownSeconds);
        try (ClipEngine engine = open(engineOptions);
             SearchIndex search = index == null ? null : SearchIndex.open(index, checkpoint,
                     engine.info().backend(), engine.info().threadsPerEncoder())) {
            if (compute.backend == null && !engine.info().backend().equals("vector")) {
                ComputeOptions.noteScalarFallback(err);
            }
            // one text and one image through every code path before the first client's request, so
            // that it does not wait for the tokenizer's tables to load and the first compilations
            engine.embedText("a photo");
            engine.embedImage(new BufferedImage(engine.info().imageSize(), engine.info().imageSize(),
                    BufferedImage.TYPE_INT_RGB));
            ClipServer server;
            try {
                server = ClipServer.start(engine, serverOptions, err, search);
            } catch (IOException e) {
                throw new BadInputException("cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")");
            }
            try (server) {
                // installed once the server is up, so a failed start leaves the JVM's handlers alone
                StopRequest stop = InterruptSignals.install();
                out.printf("serving %s (%s, %d-d embeddings, %s backend, %d encoder%s) on http://%s:%d%s%n",
                        checkpoint, engine.info().family(), engine.dimension(), engine.info().backend(), encoders,
                        encoders == 1 ? "" : "s", host, server.port(), token == null ? "" : ", token required");
                if (search != null) {
                    out.printf("searching %d images of %s (%s)%n", search.size(), index, search.how());
                }
                out.flush();
                while (!stop.requested()) {
                    Thread.sleep(100);
                }
                out.println("stopping (" + stop.reason() + "): answering the requests in progress");
                out.flush();
            }
        }
        out.println("stopped");
        return Main.OK;
    }

    private ClipEngine open(EngineOptions options) {
        try {
            return ClipEngine.open(checkpoint, options);
        } catch (ClipInputException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    private static String readToken(Path file) {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new BadInputException("--token-file " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        if (token.isEmpty()) {
            throw new BadInputException("--token-file " + file + ": the first line is empty");
        }
        return token;
    }
}

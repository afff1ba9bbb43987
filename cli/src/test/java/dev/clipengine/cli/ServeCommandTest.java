package dev.clipengine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code clip-engine serve}: it serves until SIGTERM, then stops cleanly; bad options are one line and status 2. */
class ServeCommandTest {

    private static final Path MODEL = Path.of("..", "fixtures", "openai-clip-small", "openai.safetensors")
            .toAbsolutePath().normalize();

    @Test
    void servesUntilSigtermThenStopsWithStatus0(@TempDir Path dir) throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), "secret\n");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--checkpoint", MODEL.toString(), "--port", "0", "--threads", "1",
                "--token-file", tokenFile.toString()));
        Process process = new ProcessBuilder(command).redirectError(dir.resolve("stderr").toFile()).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String first = out.readLine();
            lines.add(first);
            Matcher serving = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+), token required$").matcher(
                    String.valueOf(first));
            assertTrue(serving.find(), first + Files.readString(dir.resolve("stderr")));
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + serving.group(1) + "/health"))
                    .header("Authorization", "Bearer secret").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            // kill, not Process.destroy: destroy also closes the output still being read
            new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), lines.toString());
        assertEquals(0, process.exitValue(), lines + Files.readString(dir.resolve("stderr")));
        assertEquals("stopped", lines.getLast());
    }

    @Test
    void badOptionsAreOneLineAndStatus2(@TempDir Path dir) throws Exception {
        assertBadInput("no such file", "serve", "--checkpoint", dir.resolve("none.safetensors").toString());
        assertBadInput("--port must be in 0..65535", "serve", "--checkpoint", MODEL.toString(), "--port", "70000");
        assertBadInput("--encoders must be in 1..64", "serve", "--checkpoint", MODEL.toString(), "--encoders", "0");
        assertBadInput("is not an image index", "serve", "--checkpoint", MODEL.toString(), "--threads", "1",
                "--index", MODEL.toString());
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertBadInput("the first line is empty", "serve", "--checkpoint", MODEL.toString(), "--token-file",
                empty.toString());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertBadInput("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "serve", "--checkpoint",
                    MODEL.toString(), "--threads", "1", "--port", Integer.toString(taken.getLocalPort()));
        }
    }

    private static void assertBadInput(String part, String... args) {
        TrainCommandTest.Result r = TrainCommandTest.run(args);
        assertEquals(Main.BAD_INPUT, r.status(), r.err());
        assertTrue(r.err().contains(part), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
}

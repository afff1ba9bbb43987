package dev.clipengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.api.ClipEngine;
import dev.clipengine.api.EngineOptions;
import dev.clipengine.api.LabelScore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server on OpenAI's small fixture model: its answers, and each refusal with its status. */
class ClipServerTest {

    private static final Path FIXTURE = Path.of("..", "fixtures", "openai-clip-small").toAbsolutePath().normalize();
    private static final String TOKEN = "test-token";
    private static final long MAX_BODY = 200_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ClipEngine engine;
    private static ClipServer server;
    private static final StringWriter LOG = new StringWriter();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        engine = ClipEngine.open(FIXTURE.resolve("openai.safetensors"), EngineOptions.defaults().withThreads(1)
                .withMaxBatch(4));
        server = ClipServer.start(engine, options(0), new PrintWriter(LOG, true));
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    @AfterEach
    void serverStaysUpAndSilent() throws Exception {
        assertEquals(200, send(get("/health", TOKEN)).statusCode());
        assertEquals("", LOG.toString(), "nothing reached the server's error log");
    }

    private static ServerOptions options(int maxQueued) {
        return new ServerOptions("127.0.0.1", 0, TOKEN, MAX_BODY, 1_000_000, 8, maxQueued, 5);
    }

    @Test
    void embedsAsTheApiDoes() throws Exception {
        Path image = FIXTURE.resolve("images/img1.png");
        String body = "{\"texts\": [\"a photo of a cat\", \"a dog\"], \"images\": [\"" + base64(image) + "\"]}";
        HttpResponse<String> response = send(post("/embed", body, TOKEN));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode answer = JSON.readTree(response.body());
        assertEquals(32, answer.get("dimension").asInt());
        assertVector(engine.embedText("a dog"), answer.get("texts").get(1));
        assertVector(engine.embedImage(image), answer.get("images").get(0));
    }

    @Test
    void classifiesAsTheApiDoes() throws Exception {
        Path image = FIXTURE.resolve("images/img0.png");
        String body = "{\"images\": [\"" + base64(image) + "\"], \"labels\": [\"cat\", \"dog\", \"car\"], "
                + "\"templates\": [\"a photo of a {}\", \"a {}\"], \"top\": 2}";
        HttpResponse<String> response = send(post("/classify", body, TOKEN));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode scores = JSON.readTree(response.body()).get("results").get(0);
        List<LabelScore> expected = engine.classifier(List.of("cat", "dog", "car"), List.of("a photo of a {}", "a {}"))
                .classify(image);
        assertEquals(2, scores.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(expected.get(i).label(), scores.get(i).get("label").asText());
            assertEquals(expected.get(i).probability(), scores.get(i).get("probability").asDouble(), 1e-12);
            assertEquals(expected.get(i).cosine(), scores.get(i).get("cosine").asDouble(), 1e-12);
        }
    }

    @Test
    void refusesAMissingOrWrongToken() throws Exception {
        for (String token : new String[] {null, "wrong", TOKEN + "x", ""}) {
            HttpResponse<String> response = send(post("/embed", "{\"texts\": [\"a\"]}", token));
            assertError(401, "token", response);
            assertTrue(response.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
        }
        assertError(401, "token", send(get("/health", null)));
        assertError(401, "token", send(get("/no-such-endpoint", "wrong")));
    }

    @Test
    void refusesAnOversizedBody() throws Exception {
        String big = "{\"texts\": [\"" + "a".repeat((int) MAX_BODY) + "\"]}";
        assertError(413, "larger than the server's limit of " + MAX_BODY, send(post("/embed", big, TOKEN)));
        // without a length up front (chunked), the body is cut off at the limit as it is read
        HttpRequest chunked = request("/embed", TOKEN).POST(HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build();
        assertError(413, "larger than the server's limit", send(chunked));
    }

    @Test
    void refusesMalformedJson() throws Exception {
        assertError(400, "malformed JSON at line 1", send(post("/embed", "{\"texts\": [\"a\"", TOKEN)));
        assertError(400, "malformed JSON", send(post("/embed", "texts=a", TOKEN)));
        assertError(400, "must be a JSON object", send(post("/embed", "[\"a\"]", TOKEN)));
        assertError(400, "must be a JSON object, got nothing", send(post("/embed", "", TOKEN)));
        assertError(400, "texts[1] must be a string", send(post("/embed", "{\"texts\": [\"a\", 2]}", TOKEN)));
        assertError(400, "unknown field \"text\"", send(post("/embed", "{\"text\": \"a\"}", TOKEN)));
        assertError(400, "images[0] is not base64", send(post("/embed", "{\"images\": [\"%%%\"]}", TOKEN)));
        assertError(400, "nothing to embed", send(post("/embed", "{}", TOKEN)));
        assertError(400, "at most 8", send(post("/embed", "{\"texts\": [" + "\"a\",".repeat(8) + "\"a\"]}", TOKEN)));
        assertError(400, "has no {}", send(post("/classify", "{\"images\": [\"" + base64(FIXTURE.resolve(
                "images/img0.png")) + "\"], \"labels\": [\"cat\"], \"templates\": [\"a cat\"]}", TOKEN)));
        assertError(400, "\"top\" must be an integer from 1 to 1", send(post("/classify", "{\"images\": [\""
                + base64(FIXTURE.resolve("images/img0.png")) + "\"], \"labels\": [\"cat\"], \"top\": 5}", TOKEN)));
    }

    @Test
    void refusesUndecodableAndOversizedImages() throws Exception {
        String notAnImage = Base64.getEncoder().encodeToString("not an image at all".getBytes(StandardCharsets.UTF_8));
        assertError(422, "image given as bytes: not a PNG or JPEG image",
                send(post("/embed", "{\"images\": [\"" + notAnImage + "\"]}", TOKEN)));
        byte[] png = Files.readAllBytes(FIXTURE.resolve("images/img0.png"));
        byte[] truncated = java.util.Arrays.copyOf(png, png.length / 2);
        assertError(422, "image 2 of 2: corrupt or unreadable", send(post("/embed", "{\"images\": [\""
                + base64(png) + "\", \"" + base64(truncated) + "\"]}", TOKEN)));
        // 1001 x 1000 pixels: a small file, a million and a thousand pixels, one thousand too many
        ByteArrayOutputStream large = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(1001, 1000, BufferedImage.TYPE_INT_RGB), "png", large);
        assertError(422, "images[0]: 1001000 pixels is more than the server's limit of 1000000",
                send(post("/classify", "{\"images\": [\"" + base64(large.toByteArray())
                        + "\"], \"labels\": [\"cat\"]}", TOKEN)));
    }

    @Test
    void refusesUnknownPathsAndMethods() throws Exception {
        assertError(404, "no endpoint /embedding", send(post("/embedding", "{}", TOKEN)));
        assertError(404, "no endpoint /", send(get("/", TOKEN)));
        HttpResponse<String> wrongMethod = send(get("/embed", TOKEN));
        assertError(405, "/embed takes POST", wrongMethod);
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void answers503WhenEveryPlaceIsTaken() throws Exception {
        int taken = server.admission().takeAll();
        try {
            assertEquals(1 + 0, taken, "one encoder, no queue");
            HttpResponse<String> busy = send(post("/embed", "{\"texts\": [\"a\"]}", TOKEN));
            assertError(503, "busy", busy);
            assertEquals("1", busy.headers().firstValue("Retry-After").orElseThrow());
            assertEquals(200, send(get("/health", TOKEN)).statusCode(), "a health check is no work");
        } finally {
            server.admission().giveBack(taken);
        }
        assertEquals(200, send(post("/embed", "{\"texts\": [\"a\"]}", TOKEN)).statusCode());
    }

    @Test
    void aStopAnswersTheRequestInProgressThenRefusesConnections() throws Exception {
        ClipServer stopping = ClipServer.start(engine, options(2), new PrintWriter(LOG, true));
        String body = "{\"texts\": [\"a cat\"]}";
        try (Socket socket = new Socket("127.0.0.1", stopping.port())) {
            // headers and half the body sent: the request is in progress when the stop comes
            OutputStream out = socket.getOutputStream();
            out.write(("POST /embed HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body.substring(0, 10))
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(300);
            CompletableFuture<Void> stop = CompletableFuture.runAsync(stopping::close);
            Thread.sleep(300);
            assertFalse(stop.isDone(), "the stop waits for the request in progress");
            out.write(body.substring(10).getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.contains("\"texts\":[["), answer);
            stop.get(10, TimeUnit.SECONDS);
        }
        URI uri = URI.create("http://127.0.0.1:" + stopping.port() + "/health");
        assertThrows(ConnectException.class, () -> client.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    private static void assertError(int status, String part, HttpResponse<String> response) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode error = JSON.readTree(response.body());
        assertEquals(1, error.size(), "only an error: " + response.body());
        String message = error.get("error").asText();
        assertTrue(message.contains(part), message);
        assertFalse(message.contains("\n") || message.contains("at dev.") || message.contains("Exception"),
                "one line, no stack trace: " + message);
    }

    private static void assertVector(float[] expected, JsonNode actual) {
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i).floatValue(), "value " + i);
        }
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private static HttpRequest get(String path, String token) {
        return request(path, token).GET().build();
    }

    private static HttpRequest post(String path, String body, String token) {
        return request(path, token).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String base64(Path file) throws IOException {
        return base64(Files.readAllBytes(file));
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}

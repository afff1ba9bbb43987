package dev.clipengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.api.ClipEngine;
import dev.clipengine.api.EngineOptions;
import dev.clipengine.api.Match;
import dev.clipengine.api.Similarity;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.search.IndexFile;
import dev.clipengine.search.ModelIdentity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /search} over an index of the fixture's images, against the API's own nearest search. */
class SearchEndpointTest {

    private static final Path FIXTURE = Path.of("..", "fixtures", "openai-clip-small").toAbsolutePath().normalize();
    private static final Path MODEL = FIXTURE.resolve("openai.safetensors");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static ClipEngine engine;
    private static SearchIndex index;
    private static ClipServer server;
    private static List<Path> images;
    private static float[][] embeddings;
    private static final StringWriter LOG = new StringWriter();

    @BeforeAll
    static void start() throws IOException {
        engine = ClipEngine.open(MODEL, EngineOptions.defaults().withThreads(1));
        try (var listing = Files.list(FIXTURE.resolve("images"))) {
            images = listing.sorted().toList();
        }
        embeddings = engine.embedImageFiles(images);
        int dim = engine.dimension();
        float[] rows = new float[images.size() * dim];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(embeddings[i], 0, rows, i * dim, dim);
        }
        Path indexFile = dir.resolve("fixture.index");
        new IndexFile(ModelIdentity.of(Checkpoints.load(MODEL), MODEL), dim,
                images.stream().map(Path::toString).toList(), new long[images.size()], new long[images.size()], rows)
                .write(indexFile);
        index = SearchIndex.open(indexFile, MODEL, "scalar", 1);
        server = ClipServer.start(engine, new ServerOptions("127.0.0.1", 0, null, 1 << 20, 1_000_000, 8, 2, 5),
                new PrintWriter(LOG, true), index);
    }

    @AfterAll
    static void stop() {
        server.close();
        index.close();
        engine.close();
    }

    @Test
    void findsTheImagesNearestToATextOrAnImage() throws Exception {
        assertNearest("{\"text\": \"a photo of a cat\", \"k\": 3}", engine.embedText("a photo of a cat"), 3);
        String image = Base64.getEncoder().encodeToString(Files.readAllBytes(images.get(2)));
        assertNearest("{\"image\": \"" + image + "\"}", embeddings[2], images.size());
        assertEquals("", LOG.toString());
    }

    @Test
    void refusesAnIndexOfAnotherModel() throws IOException {
        Path other = dir.resolve("other.index");
        new IndexFile(new ModelIdentity("another.safetensors", "0".repeat(64)), engine.dimension(),
                List.of("a.png"), new long[1], new long[1], embeddings[0].clone()).write(other);
        BadInputException e = assertThrows(BadInputException.class, () -> SearchIndex.open(other, MODEL, "scalar", 1));
        assertTrue(e.getMessage().contains("was indexed with another model"), e.getMessage());
    }

    @Test
    void refusesABadQuery() throws Exception {
        assertEquals(400, post("{\"text\": \"a\", \"image\": \"AAAA\"}").statusCode());
        assertEquals(400, post("{}").statusCode());
        assertEquals(400, post("{\"text\": \"a\", \"k\": 0}").statusCode());
        assertEquals(422, post("{\"image\": \"AAAA\"}").statusCode());
    }

    private static void assertNearest(String body, float[] query, int k) throws Exception {
        HttpResponse<String> response = post(body);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode answer = JSON.readTree(response.body());
        assertEquals(images.size(), answer.get("images").asInt());
        assertEquals("exact", answer.get("method").asText());
        List<Match> expected = Similarity.nearest(query, embeddings, k);
        JsonNode results = answer.get("results");
        assertEquals(Math.min(k, images.size()), results.size());
        IntStream.range(0, results.size()).forEach(i -> {
            assertEquals(i + 1, results.get(i).get("rank").asInt());
            assertEquals(images.get(expected.get(i).index()).toString(), results.get(i).get("path").asText());
            assertEquals(expected.get(i).cosine(), results.get(i).get("score").asDouble(), 1e-5);
        });
        assertTrue(results.size() > 0);
    }

    private static HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/search")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

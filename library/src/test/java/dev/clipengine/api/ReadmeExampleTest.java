package dev.clipengine.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
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

/**
 * The README's example program, as a user would have it: taken from the README, compiled with
 * javac against nothing but this module's classes and its runtime dependencies (the class path
 * Maven gives a project that depends on the library; the build writes it to
 * target/runtime-class-path.txt), and run in a JVM of its own on the fixture model. What it prints
 * must be what the API computes here.
 */
class ReadmeExampleTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final String QUERY = "a photo of a cat";

    @Test
    void theReadmeProgramCompilesAndRuns(@TempDir Path dir) throws Exception {
        String source = readmeProgram();
        Path file = Files.writeString(dir.resolve("PhotoSearch.java"), source);
        String classPath = libraryClassPath();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        int compiled = javac.run(null, messages, messages, "-classpath", classPath, "-d", dir.toString(),
                file.toString());
        assertEquals(0, compiled, "javac: " + messages.toString(StandardCharsets.UTF_8));

        List<Path> photos = Fixture.images();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-modules", "jdk.incubator.vector", "-cp", dir + File.pathSeparator + classPath,
                "PhotoSearch", Fixture.MODEL.toString(), QUERY));
        photos.forEach(p -> command.add(p.toString()));
        // the JVM's note on stderr that the Vector API incubates is no output of the program
        Path errors = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the program ends");
        assertEquals(0, process.exitValue(), output + Files.readString(errors));
        assertEquals(expectedOutput(photos), output.lines().toList());
    }

    /** The lines the program must print, computed with the API in this JVM. */
    private static List<String> expectedOutput(List<Path> photos) {
        List<String> lines = new ArrayList<>();
        try (ClipEngine clip = ClipEngine.open(Fixture.MODEL)) {
            float[][] embeddings = clip.embedImageFiles(photos);
            for (Match match : Similarity.nearest(clip.embedText(QUERY), embeddings, 3)) {
                lines.add(String.format("%.4f %s", match.cosine(), photos.get(match.index())));
            }
            ZeroShotClassifier tagger = clip.classifier(List.of("cat", "dog", "car"));
            for (int i = 0; i < photos.size(); i++) {
                LabelScore best = tagger.classify(embeddings[i]).getFirst();
                lines.add(String.format("%s %s %.4f", photos.get(i), best.label(), best.probability()));
            }
        }
        return lines;
    }

    private static String readmeProgram() throws IOException {
        Matcher block = JAVA_BLOCK.matcher(Files.readString(README));
        while (block.find()) {
            if (block.group(1).contains("public class PhotoSearch")) {
                return block.group(1);
            }
        }
        throw new AssertionError("README.md has no java block with the class PhotoSearch");
    }

    /** This module's classes and the runtime dependencies Maven resolved for it, nothing of the tests. */
    private static String libraryClassPath() throws IOException, URISyntaxException {
        Path classes = Path.of(ClipEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dependencies = classes.getParent().resolve("runtime-class-path.txt");
        String runtime = Files.readString(dependencies).strip();
        assertTrue(!runtime.contains("junit"), "no test library on the user's class path: " + runtime);
        return classes + File.pathSeparator + runtime;
    }
}

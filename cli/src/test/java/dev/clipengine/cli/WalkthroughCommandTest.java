package dev.clipengine.cli;

import dev.clipengine.model.ClipModel;
import dev.clipengine.walkthrough.CardSetup;
import dev.clipengine.walkthrough.CardStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The printed walkthrough against the card's loss written again here in double precision: every
 * gradient it prints must match central finite differences of that loss, to the printed digits.
 */
class WalkthroughCommandTest {

    private static final double STEP = 1e-6;
    private static final int N = CardSetup.PAIRS;
    private static final List<String> TRAINED = List.of(
            ClipModel.TEXT_ENCODER_WEIGHT, ClipModel.TEXT_ENCODER_BIAS, ClipModel.TEXT_PROJECTION_WEIGHT,
            ClipModel.TEXT_PROJECTION_BIAS, ClipModel.IMAGE_ENCODER_WEIGHT, ClipModel.IMAGE_ENCODER_BIAS,
            ClipModel.IMAGE_PROJECTION_WEIGHT, ClipModel.IMAGE_PROJECTION_BIAS);
    private static final Map<String, String> SYMBOLS = Map.of(
            ClipModel.TEXT_ENCODER_WEIGHT, "W_te", ClipModel.TEXT_ENCODER_BIAS, "b_te",
            ClipModel.TEXT_PROJECTION_WEIGHT, "W_tp", ClipModel.TEXT_PROJECTION_BIAS, "b_tp",
            ClipModel.IMAGE_ENCODER_WEIGHT, "W_ie", ClipModel.IMAGE_ENCODER_BIAS, "b_ie",
            ClipModel.IMAGE_PROJECTION_WEIGHT, "W_ip", ClipModel.IMAGE_PROJECTION_BIAS, "b_ip");

    @ParameterizedTest(name = "walkthrough {0}")
    @ValueSource(strings = {"", "--base3", "--seed 5", "--seed 5 --base3 --lr 0.5"})
    void printedGradientsMatchFiniteDifferencesOfTheLoss(String flags) {
        List<String> args = new ArrayList<>(List.of("walkthrough", "--backend", "scalar"));
        if (!flags.isEmpty()) {
            args.addAll(List.of(flags.split(" ")));
        }
        TrainCommandTest.Result r = TrainCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        CardSetup setup = flags.contains("--seed") ? CardSetup.random(5) : CardSetup.handPicked();
        double scale = flags.contains("--base3") ? CardStep.BASE_3_SCALE : 1;
        double lr = flags.contains("--lr") ? 0.5 : 0.1;
        Reference reference = new Reference(setup, scale);

        double[] logits = reference.logits(reference.parameters);
        ToDoubleFunction<double[]> rows = l -> Reference.rowsLoss(l);
        ToDoubleFunction<double[]> columns = l -> Reference.rowsLoss(transpose(l));
        // the card's [Similarity - Target] of one direction is N times its mean loss's gradient
        assertMatches(out, "S_rows - Target", scaled(numericGradient(rows, logits), N), N);
        assertMatches(out, "S_cols - Target", scaled(numericGradient(columns, logits), N), N);
        assertMatches(out, "dL/dlogits = sum / 6",
                numericGradient(l -> (rows.applyAsDouble(l) + columns.applyAsDouble(l)) / 2, logits), N);

        for (String name : TRAINED) {
            double[] weights = reference.parameters.get(name);
            // a bias prints as a column, beside its weight's rows
            int cols = setup.model().tensor(name).rank() == 2 ? setup.model().tensor(name).dim(1) : 1;
            double[] gradient = numericGradient(w -> reference.loss(with(reference.parameters, name, w)), weights);
            assertTrue(Arrays.stream(gradient).anyMatch(g -> Math.abs(g) > 1e-3), name + " should matter");
            assertMatches(out, "dL/d" + SYMBOLS.get(name), gradient, cols);
            double[] after = new double[weights.length];
            for (int i = 0; i < after.length; i++) {
                after[i] = weights[i] - lr * gradient[i];
            }
            assertMatches(out, SYMBOLS.get(name) + " after", after, cols);
        }
        double[] words = reference.parameters.get(ClipModel.TOKEN_EMBEDDING);
        double[] wordGradient = numericGradient(
                e -> reference.loss(with(reference.parameters, ClipModel.TOKEN_EMBEDDING, e)), words);
        // the printed rows leave out <unk>, the first
        assertMatches(out, "dL/dE (word vectors)", Arrays.copyOfRange(wordGradient, 3, wordGradient.length), 3);
        assertTrue(out.contains("= " + String.format(java.util.Locale.ROOT, "%.4f",
                reference.loss(reference.parameters))), "the loss is printed: " + out);
    }

    @Test
    void showsEveryStepOfTheCardInOrderWithinEightyColumns() {
        TrainCommandTest.Result r = TrainCommandTest.run("walkthrough");
        assertEquals(0, r.status(), r.err());
        String out = r.out();
        int at = -1;
        for (int step = 1; step <= 13; step++) {
            int next = out.indexOf("\n[" + step + "] ");
            assertTrue(next > at, "step [" + step + "] after the one before it: " + out);
            at = next;
        }
        assertTrue(out.contains("T1 = \"big table\""), out);
        assertTrue(out.indexOf("Backpropagation") > at && out.indexOf("One SGD step at learning rate 0.1") > at, out);
        out.lines().forEach(line -> assertTrue(line.length() <= 80, "wider than a terminal: " + line));
        // the hand-picked start: the card's matmul in small integers
        assertEquals(List.of(List.of("1", "1", "2"), List.of("0", "-2", "-1"), List.of("2", "0", "3")),
                tokens(out, "I T^T", N));
    }

    @Test
    void base3RaisesThreeToTheSimilarities() {
        TrainCommandTest.Result r = TrainCommandTest.run("walkthrough", "--base3");
        assertEquals(0, r.status(), r.err());
        List<List<String>> similarities = tokens(r.out(), "I T^T", N);
        List<List<String>> powers = tokens(r.out(), "3^x", N);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                double x = Double.parseDouble(similarities.get(i).get(j));
                assertEquals(Math.pow(3, x), Double.parseDouble(powers.get(i).get(j)), 5e-5, "cell " + i + "," + j);
            }
        }
        // whole powers of 3 read as the integers a hand calculation gives
        assertEquals(List.of("3", "3", "9"), powers.get(0));
        List<List<String>> e = tokens(TrainCommandTest.run("walkthrough").out(), "e^x", N);
        assertEquals(Math.exp(1), Double.parseDouble(e.get(0).get(0)), 5e-5, "e^x by default");
    }

    @Test
    void scalarAndVectorBackendsPrintTheSameNumbers() {
        String scalar = withoutBackendLine(TrainCommandTest.run("walkthrough", "--backend", "scalar"));
        String vector = withoutBackendLine(TrainCommandTest.run("walkthrough", "--backend", "vector"));
        assertEquals(scalar, vector);
        assertEquals(withoutBackendLine(TrainCommandTest.run("walkthrough", "--backend", "scalar", "--seed", "2")),
                withoutBackendLine(TrainCommandTest.run("walkthrough", "--backend", "vector", "--seed", "2")));
    }

    @Test
    void badInputIsOneLineAndStatusTwo() {
        for (String[] args : List.of(new String[] {"walkthrough", "--bogus"},
                new String[] {"walkthrough", "--lr", "-1"},
                new String[] {"walkthrough", "--lr", "fast"},
                new String[] {"walkthrough", "--backend", "abacus"},
                new String[] {"walkthrough", "--seed"})) {
            TrainCommandTest.Result r = TrainCommandTest.run(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertEquals("", r.out(), "nothing printed before the error");
        }
    }

    @Test
    void pngDrawsTheMatricesOrSaysWhyNot(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("pictures/walkthrough.png");
        TrainCommandTest.Result r = TrainCommandTest.run("walkthrough", "--png", png.toString());
        assertEquals(0, r.status(), r.err());
        if (r.err().contains("no picture drawn")) {
            // the run still succeeds and leaves no file, but the picture itself went untested here
            assertFalse(Files.exists(png));
            abort("this JVM cannot draw (" + r.err().strip() + "): the picture is not tested");
        }
        assertTrue(r.out().strip().endsWith("picture: " + png), r.out());
        assertNotNull(ImageIO.read(png.toFile()), "a readable PNG");

        TrainCommandTest.Result folder = TrainCommandTest.run("walkthrough", "--png", dir.toString());
        assertEquals(2, folder.status(), folder.err());
        assertEquals(1, folder.err().strip().lines().count(), folder.err());
    }

    private static String withoutBackendLine(TrainCommandTest.Result r) {
        assertEquals(0, r.status(), r.err());
        return r.out().lines().filter(line -> !line.startsWith("backend:")).reduce("", (a, b) -> a + b + "\n");
    }

    /**
     * The first cols numbers of each row of the matrix printed under {@code title}: the title
     * after the indent or the gap between matrices, a line of column labels, then a line per row
     * whose label starts at the title's column (other matrices may follow on the same lines).
     */
    private static List<List<String>> tokens(String out, String title, int cols) {
        Pattern heading = Pattern.compile("(?<= {4})" + Pattern.quote(title) + "(?=\\s{2}|$)");
        List<String> lines = out.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = heading.matcher(lines.get(i));
            if (m.find()) {
                List<List<String>> rows = new ArrayList<>();
                for (int r = i + 2; r < lines.size() && lines.get(r).length() > m.start()
                        && lines.get(r).charAt(m.start()) != ' '; r++) {
                    String[] cells = lines.get(r).substring(m.start()).split("\\s+");
                    rows.add(List.of(cells).subList(1, 1 + cols));
                }
                return rows;
            }
        }
        throw new AssertionError("no matrix titled '" + title + "' in:\n" + out);
    }

    /** Every printed cell within half a unit of its matrix's last printed decimal of the expected value. */
    private static void assertMatches(String out, String title, double[] expected, int cols) {
        List<List<String>> rows = tokens(out, title, cols);
        assertEquals(expected.length / cols, rows.size(), title + ": rows");
        int decimals = 0;
        for (List<String> row : rows) {
            for (String cell : row) {
                decimals = Math.max(decimals, cell.contains(".") ? cell.length() - cell.indexOf('.') - 1 : 0);
            }
        }
        // a matrix printed all in integers is exact to the default four decimals
        double tolerance = 0.5 * Math.pow(10, -(decimals == 0 ? 4 : decimals)) + 1e-5;
        for (int i = 0; i < expected.length; i++) {
            double printed = Double.parseDouble(rows.get(i / cols).get(i % cols));
            assertEquals(expected[i], printed, tolerance, title + " cell " + i / cols + "," + i % cols);
        }
    }

    private static double[] numericGradient(ToDoubleFunction<double[]> f, double[] at) {
        double[] x = at.clone();
        double[] gradient = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double saved = x[i];
            x[i] = saved + STEP;
            double plus = f.applyAsDouble(x);
            x[i] = saved - STEP;
            double minus = f.applyAsDouble(x);
            x[i] = saved;
            gradient[i] = (plus - minus) / (2 * STEP);
        }
        return gradient;
    }

    private static double[] scaled(double[] values, double factor) {
        return Arrays.stream(values).map(v -> v * factor).toArray();
    }

    private static double[] transpose(double[] square) {
        double[] t = new double[square.length];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                t[j * N + i] = square[i * N + j];
            }
        }
        return t;
    }

    private static Map<String, double[]> with(Map<String, double[]> parameters, String name, double[] values) {
        Map<String, double[]> changed = new HashMap<>(parameters);
        changed.put(name, values);
        return changed;
    }

    /** The card's model and loss (docs/model.md, no normalisation), directly, in double precision. */
    private static final class Reference {

        final Map<String, double[]> parameters = new HashMap<>();
        private final int[][] tokens;
        private final double[][][] patches;
        private final double scale;

        Reference(CardSetup setup, double scale) {
            this.scale = scale;
            ClipModel model = setup.model();
            model.tensors().forEach(t -> {
                double[] values = new double[t.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = t.data()[i];
                }
                parameters.put(t.name(), values);
            });
            tokens = setup.captions().stream()
                    .map(c -> model.vocabulary().encode(c, model.config().maxTokens(), "test")).toArray(int[][]::new);
            float[] flat = setup.patches();
            int dim = model.config().patchDim();
            patches = new double[N][CardSetup.PATCHES_PER_IMAGE][dim];
            for (int i = 0; i < flat.length; i++) {
                patches[i / (CardSetup.PATCHES_PER_IMAGE * dim)][i / dim % CardSetup.PATCHES_PER_IMAGE][i % dim] =
                        flat[i];
            }
        }

        double loss(Map<String, double[]> p) {
            double[] l = logits(p);
            return (rowsLoss(l) + rowsLoss(transpose(l))) / 2;
        }

        double[] logits(Map<String, double[]> p) {
            double[] logits = new double[N * N];
            for (int i = 0; i < N; i++) {
                double[] v = tower(patches[i], p, "image");
                for (int j = 0; j < N; j++) {
                    double[][] words = new double[tokens[j].length][];
                    for (int w = 0; w < words.length; w++) {
                        double[] table = p.get(ClipModel.TOKEN_EMBEDDING);
                        words[w] = Arrays.copyOfRange(table, tokens[j][w] * 3, tokens[j][w] * 3 + 3);
                    }
                    double[] t = tower(words, p, "text");
                    logits[i * N + j] = scale * (v[0] * t[0] + v[1] * t[1]);
                }
            }
            return logits;
        }

        /** The mean over rows of -log softmax(row)[diagonal]. */
        static double rowsLoss(double[] logits) {
            double sum = 0;
            for (int i = 0; i < N; i++) {
                double exp = 0;
                for (int j = 0; j < N; j++) {
                    exp += Math.exp(logits[i * N + j]);
                }
                sum += Math.log(exp) - logits[i * N + i];
            }
            return sum / N;
        }

        private static double[] tower(double[][] rows, Map<String, double[]> p, String side) {
            double[] encoder = p.get(side + ".encoder.weight");
            double[] encoderBias = p.get(side + ".encoder.bias");
            double[] projection = p.get(side + ".projection.weight");
            double[] projectionBias = p.get(side + ".projection.bias");
            int hidden = encoderBias.length;
            double[] pooled = new double[hidden];
            for (double[] x : rows) {
                for (int h = 0; h < hidden; h++) {
                    double s = encoderBias[h];
                    for (int d = 0; d < x.length; d++) {
                        s += encoder[h * x.length + d] * x[d];
                    }
                    pooled[h] += Math.max(s, 0) / rows.length;
                }
            }
            double[] out = projectionBias.clone();
            for (int e = 0; e < out.length; e++) {
                for (int h = 0; h < hidden; h++) {
                    out[e] += projection[e * hidden + h] * pooled[h];
                }
            }
            return out;
        }
    }
}

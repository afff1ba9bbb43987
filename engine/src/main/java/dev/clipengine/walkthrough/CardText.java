package dev.clipengine.walkthrough;

import dev.clipengine.model.ClipModel;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A {@link CardTrace} told as the walkthrough card tells it: steps [1] to [13], each with a line
 * or two of why and its numbers as labelled matrices, then the backpropagation and the SGD step.
 */
public final class CardText {

    /** Fits a terminal of 80 columns with the indent. */
    private static final int WIDTH = 76;
    private static final String INDENT = "    ";

    private final CardTrace trace;
    private final int n;
    private final List<String> out = new ArrayList<>();

    private CardText(CardTrace trace) {
        this.trace = trace;
        this.n = trace.captions().size();
    }

    /** The whole walkthrough, line by line. */
    public static List<String> lines(CardTrace trace) {
        CardText text = new CardText(trace);
        text.given();
        text.encode();
        text.contrast();
        text.backpropagate();
        text.update();
        return List.copyOf(text.out);
    }

    /** The symbol a tensor goes by in these pages, e.g. {@code W_te}. */
    private static String symbol(String tensor) {
        return switch (tensor) {
            case ClipModel.TEXT_ENCODER_WEIGHT -> "W_te";
            case ClipModel.TEXT_ENCODER_BIAS -> "b_te";
            case ClipModel.TEXT_PROJECTION_WEIGHT -> "W_tp";
            case ClipModel.TEXT_PROJECTION_BIAS -> "b_tp";
            case ClipModel.IMAGE_ENCODER_WEIGHT -> "W_ie";
            case ClipModel.IMAGE_ENCODER_BIAS -> "b_ie";
            case ClipModel.IMAGE_PROJECTION_WEIGHT -> "W_ip";
            case ClipModel.IMAGE_PROJECTION_BIAS -> "b_ip";
            case ClipModel.TOKEN_EMBEDDING -> "E";
            default -> throw new IllegalArgumentException("no symbol for " + tensor);
        };
    }

    /** How the softmax's power is written: e^x, or the card's 3^x when the scale is ln 3. */
    public static String power(double scale) {
        if (scale == 1) {
            return "e^x";
        }
        return Math.abs(scale - CardStep.BASE_3_SCALE) < 1e-6 ? "3^x" : "e^(" + MatrixText.number(scale, 4) + " x)";
    }

    private void given() {
        step(1, "Given: a mini-batch of " + n + " text-image pairs");
        int captionWidth = trace.captions().stream().mapToInt(String::length).max().orElse(0) + 2;
        for (int k = 0; k < n; k++) {
            line(String.format(Locale.ROOT, "T%d = %-" + captionWidth + "s   I%d = its image, in %d patches",
                    k + 1, quoted(k), k + 1, patches(k)));
        }
        say("OpenAI used 400 million text-image pairs to train its original CLIP model.");
        heading("Process the 1st pair: " + quoted(0));
        step(2, "Text -> " + words(0) + " vectors (" + trace.text().input().cols() + "D)");
        say("Look up each word's embedding vector. The card takes word2vec's; the model keeps a table of "
                + "them, one row per word of its vocabulary.");
        blocks(List.of(wordVectors(0)));
        step(3, "Image -> " + patches(0) + " vectors (" + trace.image().input().cols() + "D)");
        say("Divide the image into " + patches(0) + " patches and flatten each patch into one vector.");
        blocks(List.of(patchVectors(0)));
        step(4, "Process the other pairs: repeat [2]-[3]");
        List<List<String>> rest = new ArrayList<>();
        for (int k = 1; k < n; k++) {
            rest.add(wordVectors(k));
        }
        for (int k = 1; k < n; k++) {
            rest.add(patchVectors(k));
        }
        blocks(rest);
    }

    private void encode() {
        CardTrace.Side text = trace.text();
        CardTrace.Side image = trace.image();
        step(5, "Text encoder and image encoder");
        say("Encode every input vector into a feature vector. Both encoders are one linear layer + ReLU, "
                + "which cuts every negative value to 0:");
        formula("H = ReLU(X W^T + b)");
        say("In practice the encoders are usually transformers.");
        blocks(List.of(weight("W_te (text encoder)", trace.weights(), ClipModel.TEXT_ENCODER_WEIGHT, "h", "x"),
                bias("b_te", trace.weights(), ClipModel.TEXT_ENCODER_BIAS, "h"),
                weight("W_ie (image encoder)", trace.weights(), ClipModel.IMAGE_ENCODER_WEIGHT, "h", "x"),
                bias("b_ie", trace.weights(), ClipModel.IMAGE_ENCODER_BIAS, "h")));
        List<List<String>> hidden = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            hidden.add(MatrixText.block("H_T" + (k + 1), text.item(text.hidden(), k), trace.words().get(k),
                    numbered("h", text.hidden().cols())));
        }
        for (int k = 0; k < n; k++) {
            hidden.add(MatrixText.block("H_I" + (k + 1), image.item(image.hidden(), k), patchLabels(k),
                    numbered("h", image.hidden().cols())));
        }
        blocks(hidden);
        step(6, "Mean pooling: " + words(0) + " -> 1 vector");
        say("Average each item's feature vectors, column by column, so that one vector stands for each "
                + "text and each image.");
        blocks(List.of(perItem("h_T (texts)", text.pooled(), "T", "h"),
                perItem("h_I (images)", image.pooled(), "I", "h")));
        step(7, "Projection into the shared " + text.embeddings().cols() + "D space");
        say("The text and image features have different sizes (" + text.pooled().cols() + "D vs "
                + image.pooled().cols() + "D). A linear layer on each side projects them into one space:");
        formula("T = W_tp h_T + b_tp        I = W_ip h_I + b_ip");
        blocks(List.of(weight("W_tp", trace.weights(), ClipModel.TEXT_PROJECTION_WEIGHT, "e", "h"),
                bias("b_tp", trace.weights(), ClipModel.TEXT_PROJECTION_BIAS, "e"),
                weight("W_ip", trace.weights(), ClipModel.IMAGE_PROJECTION_WEIGHT, "e", "h"),
                bias("b_ip", trace.weights(), ClipModel.IMAGE_PROJECTION_BIAS, "e")));
        blocks(List.of(perItem("T (text embeddings)", text.embeddings(), "T", "e"),
                perItem("I (image embeddings)", image.embeddings(), "I", "e")));
    }

    private void contrast() {
        CardTrace.Head head = trace.head();
        heading("Contrastive pre-training");
        step(8, "Prepare for MatMul");
        say("The image vectors I1..I" + n + " as rows, the text vectors as columns (T transposed), all in "
                + "the shared space.");
        blocks(List.of(perItem("I", trace.image().embeddings(), "I", "e"),
                MatrixText.block("T^T", trace.text().embeddings().transpose(),
                        numbered("e", trace.text().embeddings().cols()), items("T"))));
        step(9, "MatMul");
        say("Each cell is the dot product of an image and a text vector: how similar the model finds "
                + "them. The diagonal holds the true pairs.");
        if (trace.scale() != 1) {
            say("The engine's logits are these times its scale " + MatrixText.number(trace.scale(), 4)
                    + " (ln 3), so that e^logit = 3^x.");
        }
        blocks(List.of(square("I T^T", head.similarities())));
        String power = power(trace.scale());
        step(10, "Softmax: " + power);
        if (power.equals("3^x")) {
            say("Raise 3 to the power of each cell: to simplify hand calculation, 3^x approximates e^x.");
        } else {
            say("Raise e to the power of each cell. (The card approximates e^x with 3^x for hand "
                    + "calculation: --base3.)");
        }
        blocks(List.of(square(power, head.exponentials())));
        step(11, "Softmax: sums");
        say("Sum each row for image -> text, each column for text -> image.");
        blocks(List.of(MatrixText.block("row sums", head.rowSums(), items("I"), List.of("sum")),
                MatrixText.block("column sums", head.columnSums(), List.of("sum"), items("T"))));
        step(12, "Softmax: 1 / sum");
        say("Divide each cell by its row sum: the image -> text similarities, each row summing to 1.");
        say("Divide each cell by its column sum: the text -> image similarities, each column summing to 1.");
        blocks(List.of(square("S_rows (image -> text)", head.rowSoftmax()),
                square("S_cols (text -> image)", head.columnSoftmax())));
        step(13, "Loss gradients");
        say("The targets are the identity matrix: a true pair (i = j) should score 1, every other pair 0.");
        say("With softmax and cross-entropy together, the gradient of each direction is simply "
                + "[Similarity - Target]: a positive cell pushes its image and text apart, a negative one "
                + "pulls them together.");
        Matrix rows = head.rowsMinusTarget();
        Matrix columns = head.columnsMinusTarget();
        blocks(List.of(square("Target", head.target()), square("S_rows - Target", rows),
                square("S_cols - Target", columns)));
        say("The loss averages the cross-entropies of both directions over their " + n + " rows and " + n
                + " columns, so the gradient the engine backpropagates from the logits is the two added, "
                + "divided by 2 x " + n + ":");
        formula("dL/dlogits = ((S_rows - Target) + (S_cols - Target)) / " + 2 * n);
        blocks(List.of(square("(S_rows - Target) + (S_cols - Target)", rows.plus(columns)),
                square("dL/dlogits = sum / " + 2 * n, head.dLogits())));
        say("The loss itself, the mean of -ln of the diagonal similarities of both directions:");
        formula("L = (mean_i -ln S_rows[i][i] + mean_i -ln S_cols[i][i]) / 2 = " + MatrixText.number(head.loss(), 4));
    }

    private void backpropagate() {
        heading("Backpropagation: from the logits back through [9] to [5]");
        say("The chain rule, one step at a time in reverse. Through the MatMul"
                + (trace.scale() == 1 ? ":" : ", and the scale " + MatrixText.number(trace.scale(), 4) + ":"));
        String times = trace.scale() == 1 ? "" : MatrixText.number(trace.scale(), 4) + " ";
        formula("dL/dI = " + times + "dL/dlogits T        dL/dT = " + times + "dL/dlogits^T I");
        blocks(List.of(perItem("dL/dI", trace.image().dEmbeddings(), "I", "e"),
                perItem("dL/dT", trace.text().dEmbeddings(), "T", "e")));
        say("Through the projections [7], whose input was the pooled features h:");
        formula("dL/dW = dL/dout^T h        dL/db = dL/dout summed over the items");
        blocks(List.of(gradient(ClipModel.TEXT_PROJECTION_WEIGHT, "e", "h"),
                gradient(ClipModel.TEXT_PROJECTION_BIAS, "e", null),
                gradient(ClipModel.IMAGE_PROJECTION_WEIGHT, "e", "h"),
                gradient(ClipModel.IMAGE_PROJECTION_BIAS, "e", null)));
        say("Through the pooling [6] and the encoders [5]: the mean hands each of an item's rows an equal "
                + "share of its gradient, ReLU lets it through only where its output was positive, and then");
        formula("dL/dW = dL/dH^T X        dL/db = dL/dH summed over the rows");
        blocks(List.of(gradient(ClipModel.TEXT_ENCODER_WEIGHT, "h", "x"),
                gradient(ClipModel.TEXT_ENCODER_BIAS, "h", null),
                gradient(ClipModel.IMAGE_ENCODER_WEIGHT, "h", "x"),
                gradient(ClipModel.IMAGE_ENCODER_BIAS, "h", null)));
        say("The word vectors [2] get a gradient too, added up per word. The card keeps its word2vec "
                + "vectors fixed, and so does this step (train updates them unless told not to).");
        Matrix words = trace.gradients().get(ClipModel.TOKEN_EMBEDDING);
        // row 0 is <unk>, in no caption
        blocks(List.of(MatrixText.block("dL/dE (word vectors)", words.rows(1, words.rows() - 1),
                trace.vocabulary().subList(1, words.rows()), numbered("x", words.cols()))));
    }

    private void update() {
        String lr = new BigDecimal(Float.toString(trace.learningRate())).stripTrailingZeros().toPlainString();
        heading("One SGD step at learning rate " + lr);
        say("Every weight and bias above moves against its gradient:");
        formula("W <- W - " + lr + " x dL/dW        b <- b - " + lr + " x dL/db");
        List<List<String>> after = new ArrayList<>();
        for (String name : CardStep.TRAINED) {
            boolean encoder = name.contains("encoder");
            String rows = encoder ? "h" : "e";
            String title = symbol(name) + " after";
            after.add(name.endsWith("bias") ? bias(title, trace.updated(), name, rows)
                    : weight(title, trace.updated(), name, rows, encoder ? "x" : "h"));
        }
        blocks(after);
        say("The loss of the same mini-batch: " + MatrixText.number(trace.head().loss(), 4)
                + " before the step, " + MatrixText.number(trace.lossAfter(), 4) + " after.");
    }

    private List<String> wordVectors(int k) {
        return MatrixText.block("T" + (k + 1) + " = " + quoted(k), trace.text().item(trace.text().input(), k),
                trace.words().get(k), numbered("x", trace.text().input().cols()));
    }

    private List<String> patchVectors(int k) {
        return MatrixText.block("I" + (k + 1), trace.image().item(trace.image().input(), k), patchLabels(k),
                numbered("x", trace.image().input().cols()));
    }

    private List<String> weight(String title, Map<String, Matrix> tensors, String name, String rows,
                                String cols) {
        Matrix m = tensors.get(name);
        return MatrixText.block(title, m, numbered(rows, m.rows()), numbered(cols, m.cols()));
    }

    private List<String> bias(String title, Map<String, Matrix> tensors, String name, String rows) {
        Matrix m = tensors.get(name);
        return MatrixText.block(title, m, numbered(rows, m.rows()), List.of(""));
    }

    private List<String> gradient(String name, String rows, String cols) {
        String title = "dL/d" + symbol(name);
        return cols == null ? bias(title, trace.gradients(), name, rows)
                : weight(title, trace.gradients(), name, rows, cols);
    }

    private List<String> perItem(String title, Matrix m, String item, String col) {
        return MatrixText.block(title, m, items(item), numbered(col, m.cols()));
    }

    private List<String> square(String title, Matrix m) {
        return MatrixText.block(title, m, items("I"), items("T"));
    }

    private List<String> items(String prefix) {
        return numbered(prefix, n);
    }

    private static List<String> numbered(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + (i + 1)).toList();
    }

    private List<String> patchLabels(int k) {
        return numbered("patch", patches(k));
    }

    private int words(int k) {
        return trace.words().get(k).size();
    }

    private int patches(int k) {
        int[] start = trace.image().itemStart();
        return start[k + 1] - start[k];
    }

    private String quoted(int k) {
        return "\"" + trace.captions().get(k) + "\"";
    }

    private void step(int number, String title) {
        blank();
        out.add("[" + number + "] " + title);
    }

    private void heading(String title) {
        blank();
        out.add(title);
    }

    private void line(String text) {
        out.add(INDENT + text);
    }

    /** An equation on a line of its own, set in from the text. */
    private void formula(String text) {
        line("    " + text);
    }

    /** A sentence or two of explanation, wrapped at the page's width. */
    private void say(String text) {
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > WIDTH) {
                line(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        line(line.toString());
    }

    /** One blank line, however many times asked in a row. */
    private void blank() {
        if (!out.isEmpty() && !out.getLast().isEmpty()) {
            out.add("");
        }
    }

    /** The blocks laid out side by side as far as the width allows, then a blank line. */
    private void blocks(List<List<String>> blocks) {
        blank();
        for (String line : MatrixText.flow(blocks, WIDTH)) {
            out.add(line.isEmpty() ? line : INDENT + line);
        }
        blank();
    }
}

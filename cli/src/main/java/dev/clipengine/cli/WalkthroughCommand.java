package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.kernels.Backend;
import dev.clipengine.report.Plots;
import dev.clipengine.report.PlotsUnavailableException;
import dev.clipengine.walkthrough.CardSetup;
import dev.clipengine.walkthrough.CardStep;
import dev.clipengine.walkthrough.CardText;
import dev.clipengine.walkthrough.CardTrace;
import dev.clipengine.walkthrough.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code clip-engine walkthrough}: the walkthrough card's mini-batch through one training step,
 * every number printed as the engine computes it.
 */
@Command(name = "walkthrough", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, showDefaultValues = true,
        description = "Show one training step of the walkthrough card's tiny CLIP, number by number: "
                + "3 text-image pairs, steps [1] to [13], the gradients and the updated weights.")
public final class WalkthroughCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.1", description = "Learning rate of the SGD step.")
    float lr;

    @Option(names = "--base3", description = "Approximate e^x with 3^x, as the card does for hand calculation "
            + "(the logits scaled by ln 3).")
    boolean base3;

    @Option(names = "--seed", paramLabel = "N",
            description = "Random starting weights and inputs from this seed. Default: small integers picked by hand.")
    Long seed;

    @Option(names = "--png", paramLabel = "FILE",
            description = "Also draw the similarity matrices and the loss gradients as one PNG picture.")
    Path png;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Options.positive("--lr", lr);
        if (png != null) {
            OutputFiles.requireWritable(png, "--png");
        }
        CardSetup setup = seed == null ? CardSetup.handPicked() : CardSetup.random(seed);
        double scale = base3 ? CardStep.BASE_3_SCALE : 1;
        try (Backend backend = compute.create(spec.commandLine().getErr())) {
            CardTrace trace = CardStep.run(setup, backend, scale, lr);
            out.println("One training step of the walkthrough card's CLIP, every number from the engine");
            out.println("backend:  " + backend.describe());
            out.println("start:    " + (seed == null ? "small integers picked by hand, to check with pencil and paper"
                    : "random weights (as train draws them) and pixel values, seed " + seed));
            out.println("softmax:  " + CardText.power(trace.scale()) + (base3 ? ", the card's approximation of e^x"
                    : " (--base3: the card's 3^x)") + "; SGD at learning rate " + lr);
            out.println();
            CardText.lines(trace).forEach(out::println);
            if (png != null) {
                draw(trace, out);
            }
        }
        return Main.OK;
    }

    /** The card's matrices of [9], [12] and [13] as one grid of heatmaps. */
    private void draw(CardTrace trace, PrintWriter out) {
        CardTrace.Head head = trace.head();
        List<String> images = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int k = 0; k < trace.captions().size(); k++) {
            images.add("I" + (k + 1));
            texts.add("T" + (k + 1) + " " + trace.captions().get(k));
        }
        try {
            List<BufferedImage> panels = List.of(
                    heatmap("[9] I T^T (similarity)", head.similarities(), images, texts, true),
                    heatmap("[12] S_rows (image -> text)", head.rowSoftmax(), images, texts, false),
                    heatmap("[12] S_cols (text -> image)", head.columnSoftmax(), images, texts, false),
                    heatmap("[13] S_rows - Target", head.rowsMinusTarget(), images, texts, true),
                    heatmap("[13] S_cols - Target", head.columnsMinusTarget(), images, texts, true),
                    heatmap("dL/dlogits (both, / " + 2 * images.size() + ")", head.dLogits(), images, texts, true));
            BufferedImage grid = Plots.grid("One CLIP training step: similarities and loss gradients ("
                    + CardText.power(trace.scale()) + ")", panels, 3);
            Plots.writePng(grid, png);
            out.println("picture: " + png);
        } catch (PlotsUnavailableException e) {
            spec.commandLine().getErr().println("note: no picture drawn: " + e.getMessage());
        } catch (IOException e) {
            throw new BadInputException("--png " + png + ": cannot write the picture (" + e.getMessage() + ")");
        }
    }

    private static BufferedImage heatmap(String title, Matrix m, List<String> rows, List<String> cols,
                                         boolean diverging) {
        return Plots.heatmap(title, m.values(), m.rows(), m.cols(), rows, cols, true, diverging);
    }
}

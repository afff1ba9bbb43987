package dev.clipengine.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The benchmarks jar's main class: JMH's command line, with {@code step:MODEL} in the values of
 * {@link SgemmBenchmark}'s {@code product} parameter (given with {@code -p} or left at its
 * default) replaced by that model's training-step products, recorded from a real step. JMH's
 * parameters must otherwise be written out before it starts, and this keeps them from drifting
 * away from what the engine computes.
 */
public final class BenchmarkMain {

    private static final String PRODUCT = "product";
    /** The method that takes the parameter, by its full name: what JMH matches the command line's regexes against. */
    private static final String STEP_SGEMM = SgemmBenchmark.class.getName() + ".stepSgemm";

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions commandLine;
        try {
            commandLine = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            // JMH's main prints its own message for this
            org.openjdk.jmh.Main.main(args);
            return;
        }
        if (commandLine.shouldHelp() || commandLine.shouldList() || commandLine.shouldListWithParams()
                || commandLine.shouldListProfilers() || commandLine.shouldListResultFormats()
                || !runs(commandLine, STEP_SGEMM)) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        Collection<String> products = commandLine.getParameter(PRODUCT).orElse(defaultProducts());
        List<String> expanded;
        try {
            expanded = new StepProducts(BenchmarkModels.BATCH_SIZE).expand(products);
        } catch (IllegalArgumentException e) {
            System.err.println("-p " + PRODUCT + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Options options = new OptionsBuilder().parent(commandLine)
                .param(PRODUCT, expanded.toArray(String[]::new))
                .build();
        run(options);
    }

    /** Whether the benchmark is selected: JMH's rule, a find of any include and of no exclude in its full name. */
    private static boolean runs(CommandLineOptions commandLine, String benchmark) {
        List<String> includes = commandLine.getIncludes();
        boolean included = includes.isEmpty()
                || includes.stream().anyMatch(regex -> Pattern.compile(regex).matcher(benchmark).find());
        return included
                && commandLine.getExcludes().stream().noneMatch(regex -> Pattern.compile(regex).matcher(benchmark).find());
    }

    private static List<String> defaultProducts() throws NoSuchFieldException {
        Param declared = SgemmBenchmark.StepProduct.class.getField(PRODUCT).getAnnotation(Param.class);
        return Arrays.asList(declared.value());
    }

    /** As JMH's own main: its messages, exit status 1 on failure. */
    private static void run(Options options) {
        try {
            new Runner(options).run();
        } catch (NoBenchmarksException e) {
            System.err.println("No matching benchmarks. Miss-spelled regexp?");
            System.exit(1);
        } catch (RunnerException e) {
            System.err.print("ERROR: ");
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }
}

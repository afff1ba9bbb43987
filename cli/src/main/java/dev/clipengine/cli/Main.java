package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.training.NonFiniteException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code clip-engine COMMAND [options]}: the command line (docs/formats.md). */
@Command(name = "clip-engine", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Trains and evaluates CLIP models in pure Java.",
        subcommands = {TrainCommand.class, EvalCommand.class, ClassifyCommand.class, EmbedCommand.class,
                IndexCommand.class, SearchCommand.class,
                TokenizeCommand.class, ExportCommand.class, ServeCommand.class,
                CompareCommand.class,
                WalkthroughCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Exit statuses (docs/formats.md). */
    public static final int OK = 0;
    public static final int INTERNAL_ERROR = 1;
    public static final int BAD_INPUT = 2;
    public static final int NON_FINITE = 3;

    /** Whether standard output is a terminal a live display can redraw: set once, by {@link #main}. */
    private static volatile boolean onTerminal;

    public static void main(String[] args) {
        java.io.Console console = System.console();
        String term = System.getenv("TERM");
        onTerminal = console != null && console.isTerminal() && term != null && !term.equals("dumb");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** True when the output goes to a terminal (not a file, a pipe, or a test's buffer). */
    static boolean onTerminal() {
        return onTerminal;
    }

    /** Runs one command line and returns its exit status; never throws. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            // one line, not picocli's usage dump: what is wrong and where to read more
            String command = e.getCommandLine().getCommandName();
            String path = command.equals("clip-engine") ? command : "clip-engine " + command;
            String message = e.getMessage();
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched && path.equals("clip-engine")
                    && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
                message = "unknown command '" + unmatched.getUnmatched().get(0) + "'";
            }
            err.println(path + ": " + message + " (see " + path + " --help)");
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(e, err,
                parseResult.originalArgs().contains("--debug")));
        return cli.execute(args);
    }

    private static int handle(Exception e, PrintWriter err, boolean debug) {
        if (e instanceof BadInputException) {
            err.println("clip-engine: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return BAD_INPUT;
        }
        if (e instanceof NonFiniteException) {
            err.println("clip-engine: training stopped: " + e.getMessage());
            return NON_FINITE;
        }
        err.println("clip-engine: internal error (a bug, please report it): " + e
                + (debug ? "" : "; rerun with --debug for the stack trace"));
        if (debug) {
            e.printStackTrace(err);
        }
        return INTERNAL_ERROR;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: train, eval, classify, embed, compare or walkthrough");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"clip-engine " + (version == null ? "(development build)" : version)
                    + " on Java " + Runtime.version()};
        }
    }
}

package dev.clipengine.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The options of {@link StepProfile} and {@link InterleavedStep}: {@code --name value} pairs and
 * bare switches, read once; a bad one gets one line saying what, and exit status 2.
 */
final class CommandLine {

    private final String tool;
    private final String usage;
    private final Map<String, String> given = new HashMap<>();

    /**
     * Reads args against the options that take a value and the switches that take none; usage
     * lists them for the line printed on a bad one.
     */
    CommandLine(String tool, String usage, String[] args, Set<String> valued, Set<String> switches) {
        this.tool = tool;
        this.usage = usage;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (switches.contains(option)) {
                given.put(option, "");
            } else if (!valued.contains(option)) {
                throw fail("unknown option " + option);
            } else if (i + 1 >= args.length) {
                throw fail("a value is missing after " + option);
            } else {
                given.put(option, args[++i]);
            }
        }
    }

    String text(String option, String otherwise) {
        return given.getOrDefault(option, otherwise);
    }

    boolean has(String option) {
        return given.containsKey(option);
    }

    int positive(String option, int otherwise) {
        String value = given.get(option);
        if (value == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw fail(option + " needs a positive whole number, not \"" + value + "\"");
    }

    /** Prints the problem and the usage and exits with status 2; returns an error only for {@code throw}. */
    Error fail(String problem) {
        System.err.println(tool + ": " + problem + " (options: " + usage + ")");
        System.exit(2);
        return new AssertionError("unreachable");
    }
}

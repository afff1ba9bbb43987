package dev.clipengine.cli;

import picocli.CommandLine.Option;

/**
 * {@code --debug}, which every command takes. {@link Main} reads it from the raw arguments, since
 * it must work even when the others cannot be parsed; the field is here so that the option is
 * declared, and listed in the help, once.
 */
final class DebugOption {

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;
}

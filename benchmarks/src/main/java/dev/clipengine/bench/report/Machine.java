package dev.clipengine.bench.report;

import dev.clipengine.blas.OpenBlas;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The machine benchmarks ran on, as far as it decides their figures: the CPU's model, the core
 * type whose kernels OpenBLAS uses, and whether {@code OPENBLAS_CORETYPE} chose that core instead
 * of OpenBLAS's own detection (it can hold an AVX-512 CPU to AVX2 kernels, for one). The FMA limit,
 * the fourth fact a report names, comes from the results themselves ({@code FmaLimitBenchmark}).
 *
 * <p>{@code benchmarks/run} records it before the benchmarks start, with
 * {@code java -cp benchmarks.jar dev.clipengine.bench.report.Machine > machine.properties}, in the
 * environment the benchmarks then run in.
 *
 * @param cpu              the CPU's model name, or {@code unknown}
 * @param openBlasCore     the core OpenBLAS reports ({@code openblas_get_corename}), or null when
 *                         OpenBLAS could not be loaded
 * @param openBlasCoreType the value of {@code OPENBLAS_CORETYPE}, or null when it was not set
 * @param recorded         how these facts were gathered, for the report's reader
 */
public record Machine(String cpu, String openBlasCore, String openBlasCoreType, String recorded) {

    static final String FILE_NAME = "machine.properties";
    private static final String CORE_TYPE_VARIABLE = "OPENBLAS_CORETYPE";
    private static final String UNKNOWN = "unknown";

    public Machine {
        cpu = cpu == null || cpu.isBlank() ? UNKNOWN : cpu.strip();
        openBlasCore = openBlasCore == null || openBlasCore.isBlank() ? null : openBlasCore.strip();
        openBlasCoreType = openBlasCoreType == null || openBlasCoreType.isBlank() ? null : openBlasCoreType.strip();
    }

    /** Prints this machine's facts as properties, to be saved beside the results. */
    public static void main(String[] args) {
        System.out.print(probe("recorded by benchmarks/run before the benchmarks ran").toProperties());
    }

    /** This machine, now. */
    static Machine probe(String recorded) {
        String cpu = UNKNOWN;
        try {
            cpu = cpuModel(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException | UncheckedIOException e) {
            // not Linux, or no /proc: the report says the CPU is unknown
        }
        return new Machine(cpu, openBlasCoreName(), System.getenv(CORE_TYPE_VARIABLE), recorded);
    }

    /**
     * The CPU's name in /proc/cpuinfo: x86's {@code model name}, else ARM's {@code Model} or
     * {@code Hardware}, or {@code unknown}.
     */
    static String cpuModel(List<String> cpuinfo) {
        for (String key : List.of("model name", "Model", "Hardware")) {
            for (String line : cpuinfo) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                    String value = line.substring(colon + 1).strip();
                    if (!value.isEmpty()) {
                        return value;
                    }
                }
            }
        }
        return UNKNOWN;
    }

    private static String openBlasCoreName() {
        try {
            return OpenBlas.coreName();
        } catch (Throwable unavailable) {
            // no OpenBLAS for this platform, or it failed to load: the report says so
            return null;
        }
    }

    /** The machine recorded in a results folder, if there is one. */
    static Machine readFrom(Path folder) throws IOException {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        return fromProperties(Files.readString(file));
    }

    String toProperties() {
        Properties properties = new Properties();
        properties.setProperty("cpu", cpu);
        if (openBlasCore != null) {
            properties.setProperty("openblas.core", openBlasCore);
        }
        if (openBlasCoreType != null) {
            properties.setProperty("openblas.coretype", openBlasCoreType);
        }
        properties.setProperty("recorded", recorded);
        StringWriter out = new StringWriter();
        try {
            properties.store(out, "the machine the benchmarks ran on");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static Machine fromProperties(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Machine(properties.getProperty("cpu"), properties.getProperty("openblas.core"),
                properties.getProperty("openblas.coretype"), properties.getProperty("recorded", "recorded"));
    }

    /** The report's section on the machine, with the sentence on the FMA limit the results give. */
    String markdown(String fmaLimit) {
        return "\n## Machine\n\n"
                + "- CPU: " + cpu + "\n"
                + "- FMA limit: " + fmaLimit + "\n"
                + "- OpenBLAS core: " + (openBlasCore == null ? "none (OpenBLAS could not be loaded)" : openBlasCore)
                + "\n"
                + "- " + CORE_TYPE_VARIABLE + ": " + (openBlasCoreType == null
                        ? "not set (OpenBLAS picked its kernels for this CPU)"
                        : "set to " + openBlasCoreType + " (OpenBLAS used that core's kernels, whatever the CPU)")
                + "\n\n"
                + "(" + recorded + ".)\n";
    }
}

package dev.clipengine.bench.report;

import dev.clipengine.bench.BenchmarkModels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report on a small JMH JSON file whose times were chosen for round figures: 2 * 256^3
 * operations in 167.77216 us are 200 GFLOPS. Only the seed model labels the products, so that the
 * test records one tiny training step.
 */
class BenchmarkReportTest {

    private static final Machine MACHINE = new Machine("AMD EPYC 9R14 96-Core Processor", "Haswell", "Haswell",
            "recorded by benchmarks/run before the benchmarks ran");

    private static String markdown;
    private static BenchmarkReport report;

    @BeforeAll
    static void readFixture() throws IOException, URISyntaxException {
        Path fixture = Path.of(BenchmarkReportTest.class.getResource("jmh-results.json").toURI());
        report = new BenchmarkReport(JmhResult.read(fixture), List.of("seed"), MACHINE);
        markdown = report.markdown();
    }

    @Test
    void sgemmGflopsPerBackendWithRatios() {
        assertContains("## sgemm, 1 thread: GFLOPS");
        assertContains("| shape | in a step of | scalar | vector | blas | javacpp | vector/blas | blas/javacpp |");
        // vector's JMH error was 8.39 us of 167.8: 5%; blas and javacpp have none; javacpp's time was in ms
        assertContains("| 256 |  | 1.50 | 200 +-5% | 100 | 80.0 | 2.00 | 1.25 |");
    }

    @Test
    void stepProductsNameTheirModelAndEachThreadCountHasItsTable() {
        assertContains("## sgemm, 2 threads: GFLOPS");
        assertContains("| shape | in a step of | vector |\n|---|---|---:|\n| 512 |  | 200 |\n| 256x256Tx2 | seed | 100 |\n");
    }

    @Test
    void trainingStepInPairsPerSecondGflopsAndShareOfTheFmaLimit() {
        // the seed model's step at batch 256 runs products of 1,094,656 operations in all
        assertContains("seed 1.09 MFLOP at batch 256");
        assertContains("| model | backend | threads | ms/step | pairs/s | GFLOPS | of FMA limit | allocated/step |");
        // the parameterless scalar step is the seed model on one thread; 256 pairs in 3.2 ms
        assertContains("| seed | scalar | 1 | 3.20 | 80000 | 0.342 | 0% | 26.0 B |\n"
                + "| seed | vector | 2 | 2.56 | 100000 | 0.428 | 0% | 0.500 B |\n");
        assertContains("Largest allocation per step (JMH -prof gc, gc.alloc.rate.norm): 26.0 B, under the 1024 B");
    }

    @Test
    void withoutAMeasuredLimitTheFmaLimitIsTheNotedFigurePerCore() {
        BenchmarkReport report = new BenchmarkReport(java.util.List.of(), BenchmarkModels.NAMES, MACHINE);
        assertEquals(155, report.fmaLimit(1));
        assertEquals(310, report.fmaLimit(2));
    }

    @Test
    void aMeasuredFmaLimitIsUsedWhenTheResultsHoldOne() {
        long flops = dev.clipengine.bench.FmaLimitBenchmark.flopsPerCall();
        // calls taking flops / 200e9 s on one thread: 200 GFLOPS; on two threads each 1.25x as long
        double oneThreadMicros = flops / 200e9 * 1e6;
        var oneThread = new JmhResult("dev.clipengine.bench.FmaLimitBenchmark.oneThread", java.util.Map.of(),
                new JmhResult.Metric(oneThreadMicros, 0, "us/op"), java.util.Map.of());
        var twoThreads = new JmhResult("dev.clipengine.bench.FmaLimitBenchmark.twoThreads", java.util.Map.of(),
                new JmhResult.Metric(1.25 * oneThreadMicros, 0, "us/op"), java.util.Map.of());
        BenchmarkReport report = new BenchmarkReport(java.util.List.of(oneThread, twoThreads), BenchmarkModels.NAMES, MACHINE);
        assertEquals(200, report.fmaLimit(1), 1e-9);
        assertEquals(320, report.fmaLimit(2), 1e-9);
    }

    @Test
    void operatorTimesPerBackend() {
        assertContains("| operator | scalar (us) | vector (us) | scalar/vector |\n|---|---:|---:|---:|\n"
                + "| relu (image) | 2000 | 100 | 20.00 |\n");
    }

    @Test
    void otherBenchmarksAsJmhGaveThem() {
        assertContains("| NativeSgemmBenchmark.ffmCritical | shape=64, threads=1 | 5.77 | us/op |");
    }

    @Test
    void oneChartPerThreadCount(@TempDir Path dir) throws IOException {
        List<Path> charts = report.writeCharts(dir);
        assertEquals(List.of(dir.resolve("sgemm-gflops-1-thread.png"), dir.resolve("sgemm-gflops-2-threads.png")),
                charts);
        byte[] pngSignature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        for (Path chart : charts) {
            assertArrayEquals(pngSignature, Arrays.copyOf(Files.readAllBytes(chart), pngSignature.length));
        }
    }

    @Test
    void theReportNamesTheMachineFirst() {
        assertTrue(markdown.startsWith("# Benchmark results\n\n## Machine\n\n"
                + "- CPU: AMD EPYC 9R14 96-Core Processor\n"
                + "- FMA limit: not measured (FmaLimitBenchmark did not run with these results); shares of it below "
                + "assume 155 GFLOPS a core\n"
                + "- OpenBLAS core: Haswell\n"
                + "- OPENBLAS_CORETYPE: set to Haswell (OpenBLAS used that core's kernels, whatever the CPU)\n\n"
                + "(recorded by benchmarks/run before the benchmarks ran.)\n"), markdown);
    }

    @Test
    void aMeasuredFmaLimitAndAnUnsetCoreTypeAreNamed() {
        long flops = dev.clipengine.bench.FmaLimitBenchmark.flopsPerCall();
        var oneThread = new JmhResult("dev.clipengine.bench.FmaLimitBenchmark.oneThread", java.util.Map.of(),
                new JmhResult.Metric(flops / 255e9 * 1e6, 0, "us/op"), java.util.Map.of());
        Machine machine = new Machine("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "SkylakeX", null, "probed");
        String text = new BenchmarkReport(List.of(oneThread), BenchmarkModels.NAMES, machine).markdown();
        assertTrue(text.contains("- CPU: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz\n"
                + "- FMA limit: 255 GFLOPS on 1 thread (FmaLimitBenchmark, measured with these results)\n"
                + "- OpenBLAS core: SkylakeX\n"
                + "- OPENBLAS_CORETYPE: not set (OpenBLAS picked its kernels for this CPU)\n"), text);
        String noOpenBlas = new BenchmarkReport(List.of(), BenchmarkModels.NAMES,
                new Machine("x", null, null, "probed")).markdown();
        assertTrue(noOpenBlas.contains("- OpenBLAS core: none (OpenBLAS could not be loaded)\n"), noOpenBlas);
    }

    @Test
    void theCpuModelIsReadFromProcCpuinfo() {
        assertEquals("AMD EPYC 9R14 96-Core Processor", Machine.cpuModel(List.of("processor\t: 0",
                "vendor_id\t: AuthenticAMD", "model\t\t: 17", "model name\t: AMD EPYC 9R14 96-Core Processor",
                "flags\t\t: fpu avx512f")));
        assertEquals("Raspberry Pi 4 Model B Rev 1.4", Machine.cpuModel(List.of("processor\t: 0",
                "CPU part\t: 0xd08", "Model\t\t: Raspberry Pi 4 Model B Rev 1.4")));
        assertEquals("unknown", Machine.cpuModel(List.of("processor\t: 0")));
    }

    @Test
    void theRecordedMachineIsReadBackFromTheResultsFolder(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("machine.properties"), MACHINE.toProperties());
        assertEquals(MACHINE, Machine.readFrom(dir));
        Machine unset = new Machine("AMD EPYC", "Zen", null, "recorded");
        assertEquals(unset, Machine.fromProperties(unset.toProperties()));
    }

    @Test
    void thisMachineIsProbedWithItsOpenBlasCore() {
        Machine here = Machine.probe("probed by the test");
        if (Files.isReadable(Path.of("/proc/cpuinfo"))) {
            assertTrue(!here.cpu().equals("unknown"), here.toString());
        }
        // benchmarks/run and the tests load the same OpenBLAS, which names its core
        assertTrue(here.openBlasCore() != null, here.toString());
        assertEquals(System.getenv("OPENBLAS_CORETYPE") == null || System.getenv("OPENBLAS_CORETYPE").isBlank()
                ? null : System.getenv("OPENBLAS_CORETYPE").strip(), here.openBlasCoreType());
    }

    @Test
    void figuresKeepAboutThreeSignificantDigits() {
        assertEquals("12345", BenchmarkReport.figure(12345.4));
        assertEquals("123", BenchmarkReport.figure(123.4));
        assertEquals("12.3", BenchmarkReport.figure(12.34));
        assertEquals("1.23", BenchmarkReport.figure(1.234));
        assertEquals("0.0123", BenchmarkReport.figure(0.012345));
        assertEquals("0", BenchmarkReport.figure(0));
    }

    private static void assertContains(String expected) {
        assertTrue(markdown.contains(expected), () -> "expected\n" + expected + "\nin\n" + markdown);
    }
}

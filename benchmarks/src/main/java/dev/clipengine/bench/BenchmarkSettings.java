package dev.clipengine.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How every benchmark of the engine is run; a benchmark class extends this to inherit it (JMH reads
 * these annotations from superclasses).
 *
 * <ul>
 *   <li>Warm-up of 4 x 1 s: the Vector API runs 100-1000 times slower until C2 has compiled it, and
 *       reached full speed only after 2-4 s on the machines this was measured on.</li>
 *   <li>Two forks: on a shared machine one JVM can be unlucky for its whole life (a neighbour's
 *       load, a JIT decision); a second one shows that as spread instead of passing it off as the
 *       result.</li>
 *   <li>The command line's JVM flags: the incubating Vector API, and native access for OpenBLAS
 *       through {@code java.lang.foreign} and JavaCPP (the benchmarks jar's manifest grants it too,
 *       but a fork starts from the classpath).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public abstract class BenchmarkSettings {
}

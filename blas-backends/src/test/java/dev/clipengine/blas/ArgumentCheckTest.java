package dev.clipengine.blas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipengine.kernels.Backend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A wrong size, leading dimension or offset throws, naming it, before any native call: the
 * ranges asked for here would read or write far outside the arrays, so a call that reached
 * OpenBLAS would crash the JVM or change C, and neither happens.
 */
class ArgumentCheckTest {

    /** 4x4 matrices; each case breaks one argument of an otherwise valid product. */
    private record Case(String name, int m, int n, int k, int aOffset, int lda, int bOffset, int ldb,
                        int cOffset, int ldc) {
    }

    private static final List<Case> CASES = List.of(
            new Case("m", 5_000_000, 4, 4, 0, 4, 0, 4, 0, 4),
            new Case("n", 4, 5_000_000, 4, 0, 4, 0, 5_000_000, 0, 5_000_000),
            new Case("m", -1, 4, 4, 0, 4, 0, 4, 0, 4),
            new Case("k", 4, 4, -3, 0, 4, 0, 4, 0, 4),
            new Case("lda", 4, 4, 4, 0, 3, 0, 4, 0, 4),
            new Case("ldb", 4, 4, 4, 0, 4, 0, 2, 0, 4),
            new Case("ldc", 4, 4, 4, 0, 4, 0, 4, 0, 3),
            new Case("C", 4, 4, 4, 0, 4, 0, 4, 0, 1_000_000),
            new Case("A", 4, 4, 4, 1, 4, 0, 4, 0, 4),
            new Case("B", 4, 4, 4, 0, 4, 9_000_000, 4, 0, 4),
            new Case("C offset", 4, 4, 4, 0, 4, 0, 4, -16, 4));

    static Stream<Named<Backend>> backends() {
        return Stream.of(Named.of("blas", new BlasBackendProvider().create(1)), Named.of("javacpp", new JavaCppBackendProvider().create(1)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void backendsThrowBeforeTheNativeCall(Backend backend) {
        for (Case c : CASES) {
            expectRefusal(c, (cs) -> {
                float[][] arrays = arrays();
                float[] before = arrays[2].clone();
                try {
                    backend.sgemm(false, false, cs.m, cs.n, cs.k, 1f, arrays[0], cs.aOffset, cs.lda, arrays[1],
                            cs.bOffset, cs.ldb, 0f, arrays[2], cs.cOffset, cs.ldc);
                } finally {
                    assertArrayEquals(before, arrays[2], "C changed");
                }
            });
        }
        backend.close();
    }

    @Test
    void theBindingThrowsBeforeTheNativeCall() {
        for (Case c : CASES) {
            expectRefusal(c, (cs) -> {
                float[][] arrays = arrays();
                OpenBlas.sgemm(false, false, cs.m, cs.n, cs.k, 1f, arrays[0], cs.aOffset, cs.lda, arrays[1],
                        cs.bOffset, cs.ldb, 0f, arrays[2], cs.cOffset, cs.ldc);
            });
            expectRefusal(c, (cs) -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment a = arena.allocate(ValueLayout.JAVA_FLOAT, 16);
                    MemorySegment b = arena.allocate(ValueLayout.JAVA_FLOAT, 16);
                    MemorySegment cc = arena.allocate(ValueLayout.JAVA_FLOAT, 16);
                    OpenBlas.sgemm(false, false, cs.m, cs.n, cs.k, 1f, a, cs.aOffset, cs.lda, b, cs.bOffset, cs.ldb,
                            0f, cc, cs.cOffset, cs.ldc);
                }
            });
        }
    }

    private static float[][] arrays() {
        float[][] arrays = new float[3][16];
        for (float[] array : arrays) {
            java.util.Arrays.fill(array, 1f);
        }
        return arrays;
    }

    private static void expectRefusal(Case c, Consumer<Case> call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.accept(c),
                "bad " + c.name + " was accepted");
        assertTrue(e.getMessage().contains(c.name), "the message '" + e.getMessage() + "' does not name " + c.name);
    }
}

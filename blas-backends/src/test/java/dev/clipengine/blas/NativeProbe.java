package dev.clipengine.blas;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What the tests run in a fresh JVM, where library loading starts from nothing:
 * {@code product BACKEND} makes the backend, runs one product and prints the process's
 * OPENBLAS_THREAD_TIMEOUT as native code sees it; {@code extract AT_MILLIS} waits
 * for that wall-clock time, then extracts and loads OpenBLAS; {@code reason} prints why
 * {@code blas} cannot run, or nothing.
 */
final class NativeProbe {

    private NativeProbe() {
    }

    public static void main(String[] args) throws Throwable {
        switch (args[0]) {
            case "product" -> {
                try (Backend backend = Backends.create(args[1], 2)) {
                    float[] c = new float[4];
                    backend.sgemm(false, false, 2, 2, 2, 1f, new float[] {1, 2, 3, 4}, 0, 2,
                            new float[] {1, 0, 0, 1}, 0, 2, 0f, c, 0, 2);
                    System.out.println(backend.describe());
                    System.out.println("product " + c[0] + " " + c[1] + " " + c[2] + " " + c[3]);
                }
                System.out.println(OpenBlasLibrary.THREAD_TIMEOUT + "=" + nativeVariable(OpenBlasLibrary.THREAD_TIMEOUT));
            }
            case "extract" -> {
                long wait = Long.parseLong(args[1]) - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                String reason = OpenBlasLibrary.unavailableReason();
                if (reason != null) {
                    System.out.println("failed: " + reason);
                    System.exit(1);
                }
                float[] c = new float[1];
                OpenBlas.sgemm(false, false, 1, 1, 1, 1f, new float[] {3}, 0, 1, new float[] {5}, 0, 1, 0f, c, 0, 1);
                System.out.println("product " + c[0]);
            }
            case "reason" -> {
                String reason = new BlasBackendProvider().unavailableReason();
                System.out.println(reason == null ? "" : reason);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** getenv through libc: System.getenv is a copy taken at start-up. */
    private static String nativeVariable(String name) throws Throwable {
        Linker linker = Linker.nativeLinker();
        var getenv = linker.downcallHandle(linker.defaultLookup().find("getenv").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = (MemorySegment) getenv.invokeExact(arena.allocateFrom(name));
            return value.equals(MemorySegment.NULL) ? null : value.reinterpret(Long.MAX_VALUE).getString(0);
        }
    }
}

package dev.clipengine.blas;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;

/**
 * What the tests run in a fresh JVM, where library loading starts from nothing:
 * {@code product BACKEND} makes the backend and runs one product; {@code extract AT_MILLIS} waits
 * for that wall-clock time, then extracts and loads OpenBLAS; {@code reason} prints why
 * {@code blas} cannot run, or nothing.
 */
final class NativeProbe {

    private NativeProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        switch (args[0]) {
            case "product" -> {
                try (Backend backend = Backends.create(args[1], 2)) {
                    float[] c = new float[4];
                    backend.sgemm(false, false, 2, 2, 2, 1f, new float[] {1, 2, 3, 4}, 0, 2,
                            new float[] {1, 0, 0, 1}, 0, 2, 0f, c, 0, 2);
                    System.out.println(backend.describe());
                    System.out.println("product " + c[0] + " " + c[1] + " " + c[2] + " " + c[3]);
                }
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
}

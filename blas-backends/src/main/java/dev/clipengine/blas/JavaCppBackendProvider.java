package dev.clipengine.blas;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.BackendProvider;
import dev.clipengine.kernels.VectorBackend;

/** Registers {@code javacpp} with the engine's backend list. */
public final class JavaCppBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "javacpp";
    }

    @Override
    public String unavailableReason() {
        String vector = BackendRequirements.vectorApiMissing();
        if (vector != null) {
            return vector;
        }
        String reason = JavaCppOpenBlas.unavailableReason();
        return reason == null ? null : reason + "; the backends without it are scalar and vector";
    }

    @Override
    public Backend create(int threads) {
        return new VectorBackend("javacpp", threads, new JavaCppProduct(threads));
    }
}

package dev.clipengine.blas;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.BackendProvider;
import dev.clipengine.kernels.VectorBackend;

/** Registers {@code blas} with the engine's backend list. */
public final class BlasBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "blas";
    }

    @Override
    public String unavailableReason() {
        String vector = BackendRequirements.vectorApiMissing();
        if (vector != null) {
            return vector;
        }
        // OpenBlasLibrary, not OpenBlas: the latter's handles need the library loaded
        String reason = OpenBlasLibrary.unavailableReason();
        return reason == null ? null : reason + "; the backends without it are scalar and vector";
    }

    @Override
    public Backend create(int threads) {
        return new VectorBackend("blas", threads, new OpenBlasProduct(threads));
    }
}

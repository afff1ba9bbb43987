package dev.clipengine.kernels;

import dev.clipengine.BadInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backends by name: the engine's own, then those other modules provide. */
public final class Backends {

    static final String VECTOR_MODULE = "jdk.incubator.vector";

    private Backends() {
    }

    /** Every known provider, the engine's first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> providers = new ArrayList<>(List.of(new Scalar(), new Vector()));
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            providers.add(provider);
        }
        return providers;
    }

    public static List<String> names() {
        return providers().stream().map(BackendProvider::name).toList();
    }

    /** {@code vector} where the Vector API is present, else {@code scalar}. */
    public static String defaultName() {
        return new Vector().unavailableReason() == null ? "vector" : "scalar";
    }

    /** The backend of that name on that many threads; an unknown or unusable one is bad input. */
    public static Backend create(String name, int threads) {
        for (BackendProvider provider : providers()) {
            if (provider.name().equals(name)) {
                String reason = provider.unavailableReason();
                if (reason != null) {
                    throw new BadInputException("backend '" + name + "' cannot run: " + reason);
                }
                return provider.create(threads);
            }
        }
        throw new BadInputException("unknown backend '" + name + "'; the backends are: " + String.join(", ", names()));
    }

    private static final class Scalar implements BackendProvider {
        @Override
        public String name() {
            return "scalar";
        }

        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public Backend create(int threads) {
            return new ScalarBackend();
        }
    }

    private static final class Vector implements BackendProvider {
        @Override
        public String name() {
            return "vector";
        }

        @Override
        public String unavailableReason() {
            // VectorBackend must not even be loaded without the module: its classes would not link
            return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent() ? null
                    : "the Vector API is not enabled: start java with --add-modules " + VECTOR_MODULE;
        }

        @Override
        public Backend create(int threads) {
            return new VectorBackend(threads);
        }
    }
}

/**
 * Native BLAS backends reached through {@code java.lang.foreign}: matrix products on OpenBLAS's
 * {@code cblas_sgemm}, every other operator on the engine's Vector API kernels. Backends here
 * register themselves with {@link dev.clipengine.kernels.BackendProvider} so that
 * {@code --backend} finds them without the engine depending on this module.
 */
package dev.clipengine.blas;

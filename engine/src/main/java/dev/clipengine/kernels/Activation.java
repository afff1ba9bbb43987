package dev.clipengine.kernels;

/** The transformer MLP's non-linearity. */
public enum Activation {
    /** {@code x * Phi(x)} with the exact normal CDF (erf), PyTorch's {@code nn.GELU()}. */
    GELU,
    /** {@code x * sigmoid(1.702 x)}, OpenAI's approximation, which its CLIP weights were trained with. */
    QUICK_GELU;

    /** QuickGELU's factor inside the sigmoid. */
    public static final float QUICK_GELU_FACTOR = 1.702f;
}

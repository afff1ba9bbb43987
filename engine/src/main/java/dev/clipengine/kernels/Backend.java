package dev.clipengine.kernels;

/**
 * The operators a CLIP training step needs, and nothing more. All matrices are row-major
 * {@code float[]}; every operator except {@link #sgemm} works on the leading elements of its
 * arrays, which may be longer (buffers are planned for the largest batch and reused).
 *
 * <p>Implementations are chosen once per run and are not thread-safe: one training thread calls
 * them, and an implementation may fan the work out to its own worker threads. Results must not
 * depend on how warm the JIT is; see {@link ScalarBackend} for the reference semantics.
 */
public interface Backend extends AutoCloseable {

    /** The name users select it by, e.g. {@code vector}. */
    String name();

    /** The number of threads it computes with. */
    int threads();

    /** One line for the start of a run: name, vector width, threads. */
    String describe();

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, where op(A) is m x k and op(B) is k x n.
     * With {@code beta == 0} C is only written, so it may hold anything beforehand.
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
               float beta, float[] c, int cOffset, int ldc);

    /** {@code x[r][c] += bias[c]} for the rows x cols matrix x. */
    void addBias(int rows, int cols, float[] x, float[] bias);

    /** {@code dBias[c] = sum over r of dy[r][c]}: the bias gradient of {@link #addBias}. */
    void biasBackward(int rows, int cols, float[] dy, float[] dBias);

    /** {@code x[i] = max(x[i], 0)} in place; -0 becomes +0, NaN stays NaN (as in PyTorch). */
    void relu(int n, float[] x);

    /** {@code dy[i] = 0} wherever the ReLU output {@code y[i]} is not positive, in place. */
    void reluBackward(int n, float[] y, float[] dy);

    /**
     * Row g of {@code out} is the mean of rows {@code groupStart[g] .. groupStart[g+1]-1} of x
     * (cols wide). Every group must hold at least one row.
     */
    void meanPool(int groups, int[] groupStart, int cols, float[] x, float[] out);

    /** Spreads {@code dOut[g] / groupSize} to every row of group g of dx (overwriting dx). */
    void meanPoolBackward(int groups, int[] groupStart, int cols, float[] dOut, float[] dx);

    /** Softmax of every row of x into out; {@code logSumExp[r]} receives {@code log sum exp x[r][:]}. */
    void softmaxRows(int rows, int cols, float[] x, float[] out, float[] logSumExp);

    /** Softmax of every column of x into out; {@code logSumExp[c]} receives {@code log sum exp x[:][c]}. */
    void softmaxColumns(int rows, int cols, float[] x, float[] out, float[] logSumExp);

    /**
     * {@code y[r] = x[r] / max(||x[r]||, 1e-12)} (PyTorch's {@code F.normalize}); {@code norms[r]}
     * receives {@code ||x[r]||} for the backward pass.
     */
    void l2Normalize(int rows, int cols, float[] x, float[] y, float[] norms);

    /**
     * dx of {@link #l2Normalize}: {@code dx = (dy - y (y . dy)) / norm} where the norm was above
     * 1e-12, and {@code dy / 1e-12} where it was clamped.
     */
    void l2NormalizeBackward(int rows, int cols, float[] y, float[] norms, float[] dy, float[] dx);

    /** Row i of out is row {@code ids[i]} of table (cols wide), for i below n. */
    void gather(int n, int[] ids, int cols, float[] table, float[] out);

    /** Row {@code ids[i]} of dTable gets row i of dOut added, for i below n, in order of i. */
    void scatterAdd(int n, int[] ids, int cols, float[] dOut, float[] dTable);

    /**
     * LayerNorm of every row of x (cols wide) into y: {@code (x - mean) / sqrt(var + 1e-5) * gamma
     * + beta} with the biased variance, as PyTorch's; {@code mean[r]} and {@code rstd[r]}
     * ({@code 1 / sqrt(var + 1e-5)}) receive each row's statistics for the backward pass.
     */
    void layerNorm(int rows, int cols, float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd);

    /**
     * The backward pass of {@link #layerNorm}: <em>adds</em> the gradient w.r.t. x to dx (the
     * residual stream's gradient is already there), and overwrites dGamma and dBeta with the sums
     * over rows.
     */
    void layerNormBackward(int rows, int cols, float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy,
                           float[] dx, float[] dGamma, float[] dBeta);

    /** {@code y[i] = act(x[i])} for i below n. */
    void activation(Activation kind, int n, float[] x, float[] y);

    /** {@code dx[i] = dy[i] * act'(x[i])}, x being the forward's input; dx may be dy. */
    void activationBackward(Activation kind, int n, float[] x, float[] dy, float[] dx);

    /**
     * Multi-head self-attention of {@code sequences} sequences of {@code length} tokens, every head
     * at once, with no copy per head. {@code qkv} is {@code [sequences * length, 3 * width]} (width
     * = heads * headWidth): each row holds the token's q, then k, then v, and head h takes columns
     * {@code h * headWidth ..} of each. Writes the softmax of {@code q k^T / sqrt(headWidth)} (with
     * -inf above the diagonal when causal) to {@code probs} {@code [sequences, heads, length,
     * length]} and those probabilities times v, heads side by side, to out
     * {@code [sequences * length, width]}.
     */
    void attention(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv, float[] probs,
                   float[] out);

    /**
     * The backward pass of {@link #attention}: from the gradient w.r.t. its output, overwrites the
     * gradient w.r.t. qkv ({@code [sequences * length, 3 * width]}).
     */
    void attentionBackward(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv,
                           float[] probs, float[] dOut, float[] dQkv);

    /**
     * PyTorch's SGD on n elements: {@code g' = g + weightDecay * w}; with momentum,
     * {@code buf = momentum * buf + g'} and {@code w -= lr * buf}, else {@code w -= lr * g'}.
     * {@code momentumBuffer} is unused (may be null) when momentum is 0.
     */
    void sgdStep(int n, float[] w, float[] g, float[] momentumBuffer, float lr, float momentum, float weightDecay);

    /**
     * PyTorch's AdamW on n elements: {@code w *= 1 - lr * weightDecay}; the moments
     * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2}; then
     * {@code w -= (lr / biasCorrection1) * m / (sqrt(v) / sqrt(biasCorrection2) + eps)}, where
     * {@code biasCorrection_i = 1 - beta_i^step}.
     */
    void adamwStep(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2,
                   float eps, float weightDecay, float biasCorrection1, float biasCorrection2);

    /** Stops any worker threads. */
    @Override
    default void close() {
    }
}

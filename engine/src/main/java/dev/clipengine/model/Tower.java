package dev.clipengine.model;

import dev.clipengine.kernels.Backend;

/**
 * One side of CLIP (docs/model.md): a linear + ReLU encoder applied
 * to every row (token or patch), the mean over each item's rows, a linear projection into the
 * shared space, and an optional L2 normalisation. Its activations live in buffers planned for the
 * largest batch; forward keeps what backward needs.
 */
final class Tower {

    private final int inDim;
    private final int hiddenDim;
    private final int embedDim;
    private final boolean normalize;

    private final float[] encoderWeight;
    private final float[] encoderBias;
    private final float[] projectionWeight;
    private final float[] projectionBias;
    private final float[] dEncoderWeight;
    private final float[] dEncoderBias;
    private final float[] dProjectionWeight;
    private final float[] dProjectionBias;

    private final float[] hidden;     // [rows, hidden], after ReLU
    private final float[] pooled;     // [items, hidden]
    private final float[] projected;  // [items, embed]
    private final float[] normalized; // [items, embed], when normalising
    private final float[] norms;      // [items]
    /** The gradient of the loss w.r.t. {@link #output()}, written by the head. */
    final float[] dOutput;
    private final float[] dProjected;
    private final float[] dPooled;
    private final float[] dHidden;

    private float[] input;
    private int rows;
    private int items;
    private int[] itemStart;

    Tower(int inDim, int hiddenDim, int embedDim, boolean normalize, int maxRows, int maxItems,
          Tensor encoderWeight, Tensor encoderBias, Tensor projectionWeight, Tensor projectionBias,
          Gradients gradients) {
        this.inDim = inDim;
        this.hiddenDim = hiddenDim;
        this.embedDim = embedDim;
        this.normalize = normalize;
        this.encoderWeight = encoderWeight.data();
        this.encoderBias = encoderBias.data();
        this.projectionWeight = projectionWeight.data();
        this.projectionBias = projectionBias.data();
        this.dEncoderWeight = gradients.data(encoderWeight.name());
        this.dEncoderBias = gradients.data(encoderBias.name());
        this.dProjectionWeight = gradients.data(projectionWeight.name());
        this.dProjectionBias = gradients.data(projectionBias.name());
        this.hidden = new float[Math.multiplyExact(maxRows, hiddenDim)];
        this.dHidden = new float[hidden.length];
        this.pooled = new float[maxItems * hiddenDim];
        this.dPooled = new float[pooled.length];
        this.projected = new float[maxItems * embedDim];
        this.dProjected = new float[projected.length];
        this.normalized = new float[maxItems * embedDim];
        this.dOutput = new float[maxItems * embedDim];
        this.norms = new float[maxItems];
    }

    /**
     * Encodes {@code items} items whose rows of x ({@code inDim} wide) are delimited by itemStart.
     * x and itemStart must stay unchanged until {@link #backward}.
     */
    void forward(Backend backend, float[] x, int items, int[] itemStart) {
        this.input = x;
        this.items = items;
        this.itemStart = itemStart;
        this.rows = itemStart[items];
        Linear.forward(backend, rows, inDim, hiddenDim, x, encoderWeight, encoderBias, hidden);
        backend.relu(rows * hiddenDim, hidden);
        backend.meanPool(items, itemStart, hiddenDim, hidden, pooled);
        Linear.forward(backend, items, hiddenDim, embedDim, pooled, projectionWeight, projectionBias, projected);
        if (normalize) {
            backend.l2Normalize(items, embedDim, projected, normalized, norms);
        }
    }

    /** The items' embeddings, {@code [items, embed]}: normalised when the model normalises. */
    float[] output() {
        return normalize ? normalized : projected;
    }

    /** The encoder's output after ReLU, {@code [rows, hidden]}, of the last forward. */
    float[] hidden() {
        return hidden;
    }

    /** The mean of each item's rows of {@link #hidden()}, {@code [items, hidden]}. */
    float[] pooled() {
        return pooled;
    }

    /**
     * Back-propagates {@link #dOutput} into this tower's parameter gradients, and into dInput
     * ({@code [rows, inDim]}) when it is not null.
     */
    void backward(Backend backend, float[] dInput) {
        float[] dProjection = dOutput;
        if (normalize) {
            backend.l2NormalizeBackward(items, embedDim, normalized, norms, dOutput, dProjected);
            dProjection = dProjected;
        }
        Linear.backward(backend, items, hiddenDim, embedDim, pooled, projectionWeight, dProjection,
                dProjectionWeight, dProjectionBias, dPooled);
        backend.meanPoolBackward(items, itemStart, hiddenDim, dPooled, dHidden);
        backend.reluBackward(rows * hiddenDim, hidden, dHidden);
        Linear.backward(backend, rows, inDim, hiddenDim, input, encoderWeight, dHidden,
                dEncoderWeight, dEncoderBias, dInput);
    }
}

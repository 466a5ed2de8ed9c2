package dev.vega4j.models.layers;

import dev.vega4j.tensor.Tensor;

/**
 * A weight layer an adapter (LoRA) can target: its weight can be changed in place (fused adapters) and
 * {@link LayerDelta}s can be attached to its output (unfused adapters). Implemented by {@link Linear}, {@link Conv2d}
 * and the CLIP text encoders' linear layers.
 */
public interface AdaptableLayer {

    /**
     * The weight ([out, in] or [out, in, k, k]). A heap float32 weight may be modified in place by adapter fusion;
     * a mapped one ({@link Tensor#isMapped()}: float32/fp16/bf16 in the file, read-only) is swapped with
     * {@link #setWeight} for a fused float32 copy held in native memory.
     */
    Tensor weight();

    /**
     * Replaces the weight by another tensor of the same shape: a fused copy of a mapped weight, and the original put
     * back when the adapter is unfused. Not for use while the layer runs.
     */
    void setWeight(Tensor weight);

    /** The bias [out], or null. */
    Tensor bias();

    /** The deltas added to this layer's output. */
    LayerDeltas deltas();

    /** Convolution geometry of a {@link Conv2d}; null for a linear layer. */
    default ConvGeometry conv() {
        return null;
    }

    /** Kernel size, stride and zero padding of a square 2-D convolution. */
    record ConvGeometry(int kernel, int stride, int padding) {}
}

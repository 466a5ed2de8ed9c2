package dev.vega4j.models.layers;

import dev.vega4j.tensor.Tensor;

/**
 * A weight layer an adapter (LoRA) can target: its weight can be changed in place (fused adapters) and
 * {@link LayerDelta}s can be attached to its output (unfused adapters). Implemented by {@link Linear}, {@link Conv2d}
 * and the CLIP text encoders' linear layers.
 */
public interface AdaptableLayer {

    /** The weight ([out, in] or [out, in, k, k]); its data may be modified in place by adapter fusion. */
    Tensor weight();

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

package dev.vega4j.models.layers;

import dev.vega4j.tensor.Tensor;

/**
 * A term added to a layer's output on the fly, computed from the layer's input: {@code y = layer(x) + delta(x)}. This is
 * how an unfused LoRA runs (diffusers' {@code LoRACompatibleLinear} / {@code LoRACompatibleConv}: {@code W x + b +
 * scale * lora(x)}).
 */
@FunctionalInterface
public interface LayerDelta {

    /** The value to add to the layer's output {@code y} (same shape as {@code y}) for input {@code x}. */
    Tensor compute(Tensor x, Tensor y);
}

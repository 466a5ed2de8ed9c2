package dev.vega4j.io;

import dev.vega4j.tensor.Switches;

/**
 * Which weights stay in the memory-mapped file instead of the Java heap. A layer weight ({@link Weights#getWeight}: a
 * Linear or embedding matrix, a convolution kernel) stored as F32, F16 or BF16 with at least {@link #MIN_ELEMENTS}
 * elements is used straight from the mapping ({@link dev.vega4j.tensor.Tensor.Storage#MAPPED_F32}, {@code F16},
 * {@code BF16}) and read into float32 while it is packed for each GEMM. The heap then holds no layer weights whatever
 * the file's dtype, so one default heap size fits fp16 and float32 checkpoints alike; a half file is also half the
 * resident size (Segmind Vega: 3.3 GB instead of 6.6 GB). No result changes: reading float32 is a copy and widening
 * fp16/bf16 is exact. Small tensors, biases and norm parameters are converted to heap float32 at load time as before.
 *
 * <p>{@code -Dvega.weights.fp32=true} loads every weight onto the heap as float32 instead (the memory of before).
 * Code that writes into weights does not need it: it asks through {@link Weights#get}, which always gives heap
 * float32 (the trainer copies its parameters that way).
 */
public final class WeightResidency {
    /** Below this many elements a weight is loaded onto the heap (the saving would be noise). */
    public static final long MIN_ELEMENTS = Switches.DEFAULT_MAP_MIN_ELEMENTS;
    /** The switch that turns mapped residency off (every weight a heap float32 tensor). */
    public static final String FORCE_FP32_PROPERTY = Switches.WEIGHTS_FP32;
    /** The switch that overrides {@link #MIN_ELEMENTS} (tests make every layer of a tiny model mapped with 1). */
    public static final String MIN_ELEMENTS_PROPERTY = Switches.MAP_MIN_ELEMENTS;

    private WeightResidency() {}

    /** True when weights are to be loaded onto the heap as float32 ({@code -Dvega.weights.fp32=true}). */
    public static boolean forceFloat32() {
        return Switches.get().weightsFp32();
    }

    /** Whether a layer weight with this header entry stays in the mapped file. */
    public static boolean staysMapped(TensorInfo t) {
        return (t.dtype() == DType.F32 || t.dtype() == DType.F16 || t.dtype() == DType.BF16)
                && (t.shape().length == 2 || t.shape().length == 4)
                && t.numel() >= minElements()
                && !forceFloat32();
    }

    /** The size threshold in force ({@link #MIN_ELEMENTS} unless {@code -Dvega.weights.mapMinElements} says). */
    public static long minElements() {
        return Switches.get().mapMinElements();
    }
}

package dev.vega4j.io;

/**
 * Which weights stay half precision in memory. A layer weight ({@link Weights#getWeight}: a Linear or embedding matrix,
 * a convolution kernel) stored as F16 or BF16 with at least {@link #MIN_ELEMENTS} elements is used straight from the
 * memory-mapped file and converted to float32 while it is packed for each GEMM, which halves the resident size of an
 * fp16 checkpoint (Segmind Vega: 3.3 GB instead of 6.6 GB) and changes no result (the conversion is exact). Small
 * tensors, biases, norm parameters and float32 files are converted to float32 at load time as before.
 *
 * <p>{@code -Dvega.weights.fp32=true} converts every weight to float32 at load time instead (the memory of before;
 * needed by code that writes into weights, such as training).
 */
public final class HalfResidency {
    /** Below this many elements a weight is converted at load time (the saving would be noise). */
    public static final long MIN_ELEMENTS = 4096;
    /** The system property that turns half residency off. */
    public static final String FORCE_FP32_PROPERTY = "vega.weights.fp32";
    /** Overrides {@link #MIN_ELEMENTS} (tests make every layer of a tiny model half with 1). */
    public static final String MIN_ELEMENTS_PROPERTY = "vega.weights.halfMinElements";

    private HalfResidency() {}

    /** True when weights are to be converted to float32 at load time ({@code -Dvega.weights.fp32=true}). */
    public static boolean forceFloat32() {
        return Boolean.getBoolean(FORCE_FP32_PROPERTY);
    }

    /** Whether a layer weight with this header entry stays half precision in memory. */
    public static boolean keepsHalf(TensorInfo t) {
        return (t.dtype() == DType.F16 || t.dtype() == DType.BF16)
                && (t.shape().length == 2 || t.shape().length == 4)
                && t.numel() >= minElements()
                && !forceFloat32();
    }

    /** The size threshold in force ({@link #MIN_ELEMENTS} unless {@code -Dvega.weights.halfMinElements} says). */
    public static long minElements() {
        return Long.getLong(MIN_ELEMENTS_PROPERTY, MIN_ELEMENTS);
    }
}

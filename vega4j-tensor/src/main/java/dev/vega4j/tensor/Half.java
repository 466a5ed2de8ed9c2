package dev.vega4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Conversions between float32 and the two 16-bit float formats weights are stored in. Widening is exact for both
 * (every fp16 and bf16 value, subnormals, infinities and NaN payload bits included, is a float32 value), which is why
 * a weight kept half in memory and converted while it is packed gives the same results, bit for bit, as the same weight
 * converted to float32 at load time.
 *
 * <p>fp16 → float32 is {@link Float#float16ToFloat} (an intrinsic, {@code vcvtph2ps} on x86); bf16 → float32 is a
 * 16-bit shift.
 */
public final class Half {
    /** Little-endian 16-bit elements, any alignment (safetensors data offsets are only 2-byte aligned in general). */
    public static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Half() {}

    /** The float32 value of one 16-bit pattern. */
    public static float toFloat(short bits, boolean bf16) {
        return bf16 ? Float.intBitsToFloat((bits & 0xffff) << 16) : Float.float16ToFloat(bits);
    }

    /** Element {@code index} of a segment of little-endian 16-bit values, as float32. */
    public static float toFloat(MemorySegment seg, long index, boolean bf16) {
        return toFloat(seg.get(LE, 2 * index), bf16);
    }

    /** {@code dst[dstOff + i] = element(from + i)} for {@code i < len}. */
    public static void toFloats(MemorySegment seg, long from, boolean bf16, float[] dst, int dstOff, int len) {
        long b = 2 * from;
        if (bf16) {
            for (int i = 0; i < len; i++) {
                dst[dstOff + i] = Float.intBitsToFloat((seg.get(LE, b + 2L * i) & 0xffff) << 16);
            }
        } else {
            for (int i = 0; i < len; i++) {
                dst[dstOff + i] = Float.float16ToFloat(seg.get(LE, b + 2L * i));
            }
        }
    }

    /** The nearest fp16 (round to nearest even, as {@link Float#floatToFloat16}) or bf16 pattern of {@code v}. */
    public static short fromFloat(float v, boolean bf16) {
        return bf16 ? toBf16(v) : Float.floatToFloat16(v);
    }

    /** Round-to-nearest-even float32 → bfloat16 (NaN stays a quiet NaN), as torch's {@code .to(torch.bfloat16)}. */
    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /**
     * A half-precision tensor in fresh native memory (outside the Java heap, freed when the tensor is unreachable)
     * holding {@code values} rounded to fp16 or bf16. For random weights and tests; loaded weights map the file.
     */
    public static Tensor round(float[] values, boolean bf16, int... shape) {
        MemorySegment seg = java.lang.foreign.Arena.ofAuto().allocate(2L * values.length, 64);
        for (int i = 0; i < values.length; i++) {
            seg.set(LE, 2L * i, fromFloat(values[i], bf16));
        }
        return Tensor.ofHalf(seg, bf16 ? Tensor.Storage.BF16 : Tensor.Storage.F16, shape);
    }
}

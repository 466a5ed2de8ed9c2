package dev.vega4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Half-precision weights: storage, exact widening, and ops that read them bit-identical to the float32 copy. */
class HalfTensorTest {
    private final Random rnd = new Random(7);

    private Tensor randomHalf(boolean bf16, int... shape) {
        float[] v = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.3f;
        }
        return Half.round(v, bf16, shape);
    }

    private Tensor random(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) rnd.nextGaussian();
        }
        return t;
    }

    private static void assertBitIdentical(String what, Tensor a, Tensor b) {
        assertThat(a.shape()).as(what).isEqualTo(b.shape());
        for (int i = 0; i < a.numel(); i++) {
            if (Float.floatToRawIntBits(a.data()[i]) != Float.floatToRawIntBits(b.data()[i])) {
                throw new AssertionError(what + ": element " + i + " differs: " + a.data()[i] + " vs " + b.data()[i]);
            }
        }
    }

    @Test
    void halfTensorsAreReadOnlyAndSayHowToReadThem() {
        Tensor h = randomHalf(false, 3, 4);
        assertThat(h.isHalf()).isTrue();
        assertThat(h.storage()).isEqualTo(Tensor.Storage.F16);
        assertThat(h.byteSize()).isEqualTo(24);
        assertThatThrownBy(h::data).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("F16").hasMessageContaining("toFloat32()").hasMessageContaining("vega.weights.fp32");
        assertThatThrownBy(() -> h.set(1f, 0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Tensor.zeros(2).mapped()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Tensor.ofHalf(MemorySegment.ofArray(new short[5]), Tensor.Storage.F16, 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12 bytes");
        assertThatThrownBy(() -> Tensor.ofHalf(MemorySegment.ofArray(new short[6]), Tensor.Storage.F32, 2, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(h.toString()).isEqualTo("Tensor(F16)[3, 4]");
    }

    @Test
    void viewsCopiesAndReadsAgreeWithTheFloat32Copy() {
        Tensor h = randomHalf(true, 4, 6);
        Tensor f = h.toFloat32();
        assertThat(f.isHalf()).isFalse();
        assertThat(f.toFloat32()).isSameAs(f);
        Tensor view = h.reshape(6, -1);
        assertThat(view.isHalf()).isTrue();
        assertThat(view.storageKey()).isSameAs(h.storageKey());
        assertThat(view.get(5, 3)).isEqualTo(f.get(3, 5));
        assertBitIdentical("copy", h.copy(), f);
        assertBitIdentical("slice0", h.slice0(1, 3), f.slice0(1, 3));
        assertBitIdentical("cat0", Tensor.cat0(h, f), Tensor.cat0(f, f));
        float[] row = new float[6];
        h.readFloats(12, row, 0, 6);
        assertThat(row).isEqualTo(Arrays.copyOfRange(f.data(), 12, 18));
        assertThatThrownBy(() -> h.readFloats(20, row, 0, 6)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void everyFp16AndBf16PatternWidensExactly() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        MemorySegment seg = MemorySegment.ofArray(all);
        float[] f16 = Tensor.ofHalf(seg, Tensor.Storage.F16, 65536).toFloat32().data();
        float[] bf16 = Tensor.ofHalf(seg, Tensor.Storage.BF16, 65536).toFloat32().data();
        for (int i = 0; i < 65536; i++) {
            short b = (short) i;
            // bf16 is the top half of a float32: the widened bits are exactly the pattern shifted (NaN payloads too)
            assertThat(Float.floatToRawIntBits(bf16[i])).isEqualTo(i << 16);
            float v = f16[i];
            if (Float.isNaN(v)) {
                assertThat((i & 0x7c00) == 0x7c00 && (i & 0x3ff) != 0).as("NaN pattern %x", i).isTrue();
            } else {
                // exact: narrowing the widened value gives the pattern back (subnormals and ±inf included)
                assertThat(Float.floatToFloat16(v)).as("fp16 pattern %x", i).isEqualTo(b);
                assertThat(Half.fromFloat(bf16[i], true)).isEqualTo(b);
            }
        }
        assertThat(f16[0x0001]).isEqualTo(0x1p-24f); // smallest fp16 subnormal
        assertThat(f16[0x03ff]).isEqualTo(0x3ffp-24f); // largest fp16 subnormal
        assertThat(f16[0x7c00]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(f16[0xfc00]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(f16[0x8000]).isEqualTo(-0f);
        assertThat(Float.floatToRawIntBits(f16[0x8000])).isEqualTo(0x80000000);
        assertThat(bf16[0x0001]).isEqualTo(0x1p-133f); // a float32 subnormal
        assertThat(bf16[0x7f80]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float.isNaN(bf16[0x7fc0])).isTrue();
    }

    @Test
    void linearWithAHalfWeightIsBitIdenticalToItsFloat32Copy() {
        // edge shapes: N not a multiple of the 32-column panel, K not a multiple of the 128-element K block, tiny M
        int[][] shapes = {{1, 1, 1}, {7, 17, 5}, {2, 300, 33}, {77, 129, 65}, {130, 260, 96}};
        for (boolean bf16 : new boolean[] {false, true}) {
            for (int[] s : shapes) {
                Tensor x = random(s[0], s[1]);
                Tensor w = randomHalf(bf16, s[2], s[1]);
                Tensor b = random(s[2]);
                String what = "linear " + Arrays.toString(s) + (bf16 ? " bf16" : " fp16");
                for (TensorOps ops : new TensorOps[] {new VectorOps(2), new VectorOps(1, true), new ReferenceOps()}) {
                    assertBitIdentical(what + " " + ops, ops.linear(x, w, b), ops.linear(x, w.toFloat32(), b));
                }
            }
        }
    }

    @Test
    void conv2dWithAHalfWeightIsBitIdenticalToItsFloat32Copy() {
        // {n, c, h, w, o, k, stride, pad}
        int[][] cases = {{1, 3, 9, 11, 5, 3, 1, 1}, {2, 8, 10, 10, 37, 3, 2, 1}, {1, 17, 6, 40, 13, 1, 1, 0},
            {1, 4, 5, 5, 3, 3, 1, 0}};
        for (boolean bf16 : new boolean[] {false, true}) {
            for (int[] c : cases) {
                Tensor x = random(c[0], c[1], c[2], c[3]);
                Tensor w = randomHalf(bf16, c[4], c[1], c[5], c[5]);
                Tensor b = random(c[4]);
                String what = "conv2d " + Arrays.toString(c) + (bf16 ? " bf16" : " fp16");
                for (TensorOps ops : new TensorOps[] {new VectorOps(2), new VectorOps(1, true), new ReferenceOps()}) {
                    assertBitIdentical(what + " " + ops, ops.conv2d(x, w, b, c[6], c[7]),
                            ops.conv2d(x, w.toFloat32(), b, c[6], c[7]));
                }
            }
        }
    }

    @Test
    void thePackCacheKeepsHalfWeightsApartByStorage() {
        VectorOps ops = new VectorOps(1, true);
        Tensor x = random(3, 40);
        Tensor w1 = randomHalf(false, 24, 40), w2 = randomHalf(false, 24, 40);
        Tensor y1 = ops.linear(x, w1, null);
        assertBitIdentical("cached", ops.linear(x, w1, null), y1);
        assertBitIdentical("other weight", ops.linear(x, w2, null), ops.linear(x, w2.toFloat32(), null));
    }
}

package dev.vega4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.tensor.kernels.WinogradTransform;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Float32 weights kept in a memory segment ({@link Tensor.Storage#MAPPED_F32}, as a safetensors file maps them): the
 * same floats as the heap copy, at any byte offset, and every op that reads them bit-identical to the heap tensor.
 */
class MappedF32TensorTest {
    private static final ValueLayout.OfFloat LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final Random rnd = new Random(11);

    private Tensor random(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) rnd.nextGaussian();
        }
        return t;
    }

    /** {@code heap}'s floats written little-endian at byte offset {@code skew} of native memory, mapped over. */
    private static Tensor mapped(Tensor heap, int skew) {
        long bytes = 4L * heap.numel();
        MemorySegment seg = Arena.ofAuto().allocate(bytes + skew, 64).asSlice(skew, bytes);
        for (int i = 0; i < heap.numel(); i++) {
            seg.set(LE, 4L * i, heap.data()[i]);
        }
        return Tensor.ofMapped(seg, Tensor.Storage.MAPPED_F32, heap.shape());
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
    void mappedFloat32IsReadOnlyAndReadsBackEveryBitAtAnyOffset() {
        Tensor heap = random(5, 7);
        heap.data()[3] = Float.intBitsToFloat(0x7fc01234); // a NaN payload must survive the copy
        heap.data()[4] = -0f;
        heap.data()[5] = Float.MIN_VALUE;
        for (int skew : new int[] {0, 1, 2, 3}) {
            Tensor m = mapped(heap, skew);
            assertThat(m.isMapped()).isTrue();
            assertThat(m.isHalf()).isFalse();
            assertThat(m.storage()).isEqualTo(Tensor.Storage.MAPPED_F32);
            assertThat(m.byteSize()).isEqualTo(140);
            assertThat(m.toString()).isEqualTo("Tensor(MAPPED_F32)[5, 7]");
            assertBitIdentical("toFloat32 skew " + skew, m.toFloat32(), heap);
            assertBitIdentical("copy", m.copy(), heap);
            assertBitIdentical("slice0", m.slice0(1, 4), heap.slice0(1, 4));
            assertBitIdentical("cat0", Tensor.cat0(m, heap), Tensor.cat0(heap, heap));
            Tensor view = m.reshape(7, -1);
            assertThat(view.storageKey()).isSameAs(m.storageKey());
            assertThat(Float.floatToRawIntBits(view.get(0, 3))).isEqualTo(0x7fc01234);
            float[] row = new float[7];
            m.readFloats(14, row, 0, 7);
            assertThat(row).isEqualTo(Arrays.copyOfRange(heap.data(), 14, 21));
            assertThatThrownBy(() -> m.readFloats(30, row, 0, 7)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(m::data).isInstanceOf(IllegalStateException.class).hasMessageContaining("MAPPED_F32")
                    .hasMessageContaining("toFloat32()").hasMessageContaining("vega.weights.fp32");
            assertThatThrownBy(() -> m.set(1f, 0, 0)).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> Tensor.ofMapped(MemorySegment.ofArray(new float[5]), Tensor.Storage.MAPPED_F32, 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("24 bytes");
        assertThatThrownBy(() -> Tensor.ofMapped(MemorySegment.ofArray(new float[6]), Tensor.Storage.F32, 2, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tensor.ofHalf(MemorySegment.ofArray(new float[3]), Tensor.Storage.MAPPED_F32, 2, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void linearWithAMappedWeightIsBitIdenticalToTheHeapWeight() {
        // edge shapes: N not a multiple of the 32-column panel, K not a multiple of the K block, tiny M
        int[][] shapes = {{1, 1, 1}, {7, 17, 5}, {2, 300, 33}, {77, 129, 65}};
        for (int[] s : shapes) {
            Tensor x = random(s[0], s[1]);
            Tensor w = random(s[2], s[1]);
            Tensor b = random(s[2]);
            Tensor wm = mapped(w, 3);
            for (TensorOps ops : new TensorOps[] {new VectorOps(2), new VectorOps(1, true), new ReferenceOps()}) {
                String what = "linear " + Arrays.toString(s) + " " + ops;
                assertBitIdentical(what, ops.linear(x, wm, b), ops.linear(x, w, b));
            }
        }
    }

    @Test
    void conv2dWithAMappedWeightIsBitIdenticalToTheHeapWeightOnEveryPath() {
        // {n, c, h, w, o, k, stride, pad}: 3x3 stride 1 (Winograd when on), stride 2, 1x1, no padding
        int[][] cases = {{1, 3, 9, 11, 5, 3, 1, 1}, {2, 8, 10, 10, 37, 3, 2, 1}, {1, 17, 6, 40, 13, 1, 1, 0},
            {1, 4, 5, 5, 3, 3, 1, 0}};
        VectorOps two = new VectorOps(2);
        TensorOps[] all = {two.withWinograd(null), two.withWinograd(WinogradTransform.F2),
            two.withWinograd(WinogradTransform.F4), new VectorOps(1, true).withWinograd(WinogradTransform.F2),
            new ReferenceOps()};
        for (int[] c : cases) {
            Tensor x = random(c[0], c[1], c[2], c[3]);
            Tensor w = random(c[4], c[1], c[5], c[5]);
            Tensor b = random(c[4]);
            Tensor wm = mapped(w, 1);
            for (int i = 0; i < all.length; i++) {
                String what = "conv2d " + Arrays.toString(c) + " ops#" + i;
                assertBitIdentical(what, all[i].conv2d(x, wm, b, c[6], c[7]), all[i].conv2d(x, w, b, c[6], c[7]));
            }
        }
    }

    @Test
    void thePackCacheKeepsMappedWeightsApartByStorage() {
        VectorOps ops = new VectorOps(1, true);
        Tensor x = random(3, 40);
        Tensor w1 = random(24, 40), w2 = random(24, 40);
        Tensor m1 = mapped(w1, 2), m2 = mapped(w2, 2);
        Tensor y1 = ops.linear(x, m1, null);
        assertBitIdentical("first", y1, ops.linear(x, w1, null));
        assertBitIdentical("cached", ops.linear(x, m1, null), y1);
        assertBitIdentical("other weight", ops.linear(x, m2, null), ops.linear(x, w2, null));
    }
}

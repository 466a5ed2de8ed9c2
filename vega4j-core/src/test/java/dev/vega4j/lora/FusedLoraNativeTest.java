package dev.vega4j.lora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.io.MapWeights;
import dev.vega4j.models.layers.Linear;
import dev.vega4j.models.layers.Params;
import dev.vega4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fusing into a weight held in a memory segment (mapped float32 or fp16) leaves the fused weight in native memory
 * ({@link Tensor.Storage#MAPPED_F32}), bit-identical to fusing into a heap float32 copy, and unfusing puts back the
 * very same tensor objects; heap float32 weights are still fused in place.
 */
class FusedLoraNativeTest {
    private static final Random RND = new Random(23);
    private static final ValueLayout.OfShort LE_F16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static Tensor randn(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) RND.nextGaussian();
        }
        return t;
    }

    private static Linear linear(Tensor weight, Tensor bias) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("fc.weight", weight);
        w.put("fc.bias", bias);
        Params p = Params.from(new MapWeights(w, "test"));
        Linear l = new Linear(p.sub("fc"), weight.dim(1), weight.dim(0), true);
        p.finish();
        return l;
    }

    /** {@code t} held as {@code kind} in native memory (fp16: rounded to half first, so compare via toFloat32). */
    private static Tensor segmentHeld(Tensor t, Tensor.Storage kind) {
        if (kind == Tensor.Storage.MAPPED_F32) {
            return FusedLora.offHeap(t);
        }
        MemorySegment seg = Arena.ofAuto().allocate(LE_F16, t.numel());
        for (int i = 0; i < t.numel(); i++) {
            seg.setAtIndex(LE_F16, i, Float.floatToFloat16(t.data()[i]));
        }
        return Tensor.ofMapped(seg, kind, t.shape());
    }

    private static LoraTargets targets(Linear l) {
        return LoraTargets.of(Map.of(LoraComponent.UNET, Map.of("fc", l)), null);
    }

    private static void assertSameBits(String what, Tensor ours, Tensor ref) {
        assertThat(ours.shape()).isEqualTo(ref.shape());
        float[] a = ours.toFloat32().data(), b = ref.toFloat32().data();
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                throw new AssertionError(what + ": element " + i + " differs: " + a[i] + " vs " + b[i]);
            }
        }
    }

    @Test
    void offHeapCopyHoldsTheSameFloatBits() {
        Tensor t = randn(3, 7);
        t.data()[0] = Float.intBitsToFloat(0x7fc01234); // a NaN payload survives the copy too
        t.data()[1] = -0f;
        Tensor n = FusedLora.offHeap(t);
        assertThat(n.storage()).isEqualTo(Tensor.Storage.MAPPED_F32);
        assertThat(n.shape()).isEqualTo(t.shape());
        assertSameBits("off-heap copy", n, t);
        assertThat(Float.floatToRawIntBits(n.toFloat32().data()[0])).isEqualTo(0x7fc01234);
    }

    @Test
    void twoAdaptersFusedIntoSegmentWeightsStayOffHeapAndMatchHeapFusingBitForBit() {
        for (Tensor.Storage kind : new Tensor.Storage[] {Tensor.Storage.MAPPED_F32, Tensor.Storage.F16}) {
            for (boolean keepOriginals : new boolean[] {true, false}) {
                Tensor w = randn(6, 8), bias = randn(6);
                Tensor original = segmentHeld(w, kind);
                Linear mapped = linear(w.copy(), bias);
                mapped.setWeight(original);
                Linear heap = linear(original.toFloat32(), bias); // the same values, heap float32
                Tensor heapWeight = heap.weight();
                float[] heap0 = heapWeight.data().clone();

                LoraAdapter a1 = LoraAdapter.fromTensors("one", Map.of("lora_unet_fc.lora_down.weight", randn(2, 8),
                        "lora_unet_fc.lora_up.weight", randn(6, 2), "lora_unet_fc.alpha", Tensor.scalar(3f)));
                LoraAdapter a2 = LoraAdapter.fromTensors("two", Map.of("unet.fc.lora.down.weight", randn(3, 8),
                        "unet.fc.lora.up.weight", randn(6, 3)));
                LoraTargets tm = targets(mapped), th = targets(heap);
                Tensor x = randn(4, 8);

                FusedLora m1 = tm.fuse(a1, 0.8f, keepOriginals);
                FusedLora h1 = th.fuse(a1, 0.8f, true);
                Tensor afterOne = mapped.weight();
                assertThat(afterOne).isNotSameAs(original);
                assertThat(afterOne.storage()).as("%s fused once", kind).isEqualTo(Tensor.Storage.MAPPED_F32);
                assertThat(heap.weight()).as("a heap weight is fused in place").isSameAs(heapWeight);
                assertSameBits(kind + " fused once", afterOne, heap.weight());

                FusedLora m2 = tm.fuse(a2, -0.5f, keepOriginals);
                FusedLora h2 = th.fuse(a2, -0.5f, true);
                assertThat(mapped.weight().storage()).isEqualTo(Tensor.Storage.MAPPED_F32);
                assertSameBits(kind + " fused twice", mapped.weight(), heap.weight());
                assertSameBits(kind + " forward fused", mapped.forward(x), heap.forward(x));

                m2.unfuse();
                h2.unfuse();
                assertThat(mapped.weight()).isSameAs(afterOne);
                m1.unfuse();
                h1.unfuse();
                assertThat(mapped.weight()).as("%s original back", kind).isSameAs(original);
                assertThat(heap.weight().data()).isEqualTo(heap0);
                assertSameBits(kind + " forward unfused", mapped.forward(x), heap.forward(x));
            }
        }
    }
}

package dev.vega4j.lora;

import dev.vega4j.conformance.LoraConformance;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.io.DType;
import dev.vega4j.io.Fp16Folders;
import dev.vega4j.io.WeightResidency;
import dev.vega4j.models.layers.AdaptableLayer;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA on a model whose layer weights stay in the mapped file (the golden tiny-vega as it is, float32, and written as
 * fp16): fusing leaves each changed weight in native memory ({@link Tensor.Storage#MAPPED_F32}, off the heap) with
 * exactly the values fusing gives on the heap-loaded model; unfusing puts the very same mapped tensors back.
 */
class MappedWeightsLoraTest {
    @TempDir
    static Path tmp;
    private static GoldenCase golden;
    private static LoraConformance.Model half;
    private static LoraConformance.Model fp32;
    /** The golden float32 files, layer weights mapped, and the same files loaded onto the heap. */
    private static LoraConformance.Model mapped32;
    private static LoraConformance.Model heap32;
    private static Path kohyaFile;

    @BeforeAll
    static void load() {
        GoldenGroup g = GoldenGroup.load(Golden.root(), "lora");
        golden = g.cases().get(0);
        kohyaFile = g.dir().resolve(golden.json().get("lora_files").get("kohya").asText());
        Path dir = Fp16Folders.copy(golden.modelDir(), tmp.resolve("fp16"), DType.F16);
        half = Fp16Folders.withProperty(WeightResidency.MIN_ELEMENTS_PROPERTY, "1", () -> LoraConformance.Model.load(dir));
        fp32 = Fp16Folders.withProperty(WeightResidency.FORCE_FP32_PROPERTY, "true",
                () -> LoraConformance.Model.load(dir));
        mapped32 = Fp16Folders.withProperty(WeightResidency.MIN_ELEMENTS_PROPERTY, "1",
                () -> LoraConformance.Model.load(golden.modelDir()));
        heap32 = Fp16Folders.withProperty(WeightResidency.FORCE_FP32_PROPERTY, "true",
                () -> LoraConformance.Model.load(golden.modelDir()));
    }

    @AfterAll
    static void close() {
        golden.close();
    }

    private static List<AdaptableLayer> layers(LoraConformance.Model m) {
        List<AdaptableLayer> out = new ArrayList<>();
        for (LoraComponent c : LoraComponent.values()) {
            out.addAll(m.targets().layers(c).values());
        }
        return out;
    }

    private static void assertBitIdentical(String what, Tensor a, Tensor b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        float[] x = a.toFloat32().data(), y = b.toFloat32().data();
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                throw new AssertionError(what + ": element " + i + " differs: " + x[i] + " vs " + y[i]);
            }
        }
    }

    @Test
    void fuseAndUnfuseOnHalfWeights() {
        fuseAndUnfuse(half, fp32, Tensor.Storage.F16);
    }

    @Test
    void fuseAndUnfuseOnMappedFloat32Weights() {
        fuseAndUnfuse(mapped32, heap32, Tensor.Storage.MAPPED_F32);
    }

    /** {@code mapped} has every adapted layer weight mapped as {@code storage}; {@code heap} is the reference. */
    private static void fuseAndUnfuse(LoraConformance.Model mapped, LoraConformance.Model heap, Tensor.Storage storage) {
        for (boolean keepOriginals : new boolean[] {true, false}) {
            List<AdaptableLayer> layers = layers(mapped);
            List<Tensor> before = layers.stream().map(AdaptableLayer::weight).toList();
            assertThat(before).allMatch(t -> t.storage() == storage);
            Tensor base = mapped.unet(golden, 999f);
            assertBitIdentical("no adapter", base, heap.unet(golden, 999f));

            FusedLora h = mapped.targets().fuse(LoraAdapter.load(kohyaFile), 0.7f, keepOriginals);
            // the reference keeps originals: unfusing by subtraction would leave it off by rounding for the next test
            FusedLora f = heap.targets().fuse(LoraAdapter.load(kohyaFile), 0.7f, true);
            // every changed layer now holds a native float32 copy (nothing on the heap), bit for bit the heap-fused
            // weight; the heap model's weights were fused in place
            List<AdaptableLayer> heapLayers = layers(heap);
            int patched = 0;
            for (int i = 0; i < layers.size(); i++) {
                Tensor w = layers.get(i).weight();
                assertThat(heapLayers.get(i).weight().storage()).isEqualTo(Tensor.Storage.F32);
                if (w != before.get(i)) {
                    patched++;
                    assertThat(w.storage()).as("fused layer %d", i).isEqualTo(Tensor.Storage.MAPPED_F32);
                }
                assertBitIdentical("fused weight " + i, w, heapLayers.get(i).weight());
            }
            assertThat(patched).isEqualTo(golden.json().get("num_modules").asInt());
            assertBitIdentical("fused", mapped.unet(golden, 999f), heap.unet(golden, 999f));
            h.unfuse();
            f.unfuse();

            for (int i = 0; i < layers.size(); i++) {
                assertThat(layers.get(i).weight()).as("layer %d back to its mapped tensor", i).isSameAs(before.get(i));
            }
            assertBitIdentical("unfused", mapped.unet(golden, 999f), base);
        }
    }

    @Test
    void unfusedAdaptersRunOnMappedWeights() {
        try (ActiveLora h = half.targets().attach(LoraAdapter.load(kohyaFile), 0.5f);
                ActiveLora f = fp32.targets().attach(LoraAdapter.load(kohyaFile), 0.5f)) {
            assertBitIdentical("attached", half.unet(golden, 999f), fp32.unet(golden, 999f));
        }
        try (ActiveLora m = mapped32.targets().attach(LoraAdapter.load(kohyaFile), 0.5f);
                ActiveLora f = heap32.targets().attach(LoraAdapter.load(kohyaFile), 0.5f)) {
            assertBitIdentical("attached, float32", mapped32.unet(golden, 999f), heap32.unet(golden, 999f));
        }
    }
}

package dev.vega4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.io.MapWeights;
import dev.vega4j.io.WeightResidency;
import dev.vega4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Random weights held as a loaded checkpoint's would be: large layer weights outside the heap, same values. */
class RandomWeightsTest {
    private static final Map<String, int[]> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("proj.weight", new int[] {96, 64});
        SHAPES.put("conv.weight", new int[] {32, 16, 3, 3});
        SHAPES.put("small.weight", new int[] {8, 8});
        SHAPES.put("proj.bias", new int[] {96});
    }

    @Test
    void mappedFloat32HoldsLayerWeightsInNativeMemoryWithTheSameValues() {
        MapWeights heap = RandomWeights.of(SHAPES, 5, "test", Tensor.Storage.F32);
        MapWeights mapped = RandomWeights.of(SHAPES, 5, "test", Tensor.Storage.MAPPED_F32);
        for (String n : SHAPES.keySet()) {
            Tensor h = heap.getWeightOptional(n), m = mapped.getWeightOptional(n);
            assertThat(h.isMapped()).isFalse();
            boolean layer = SHAPES.get(n).length >= 2 && h.numel() >= WeightResidency.minElements();
            assertThat(m.storage()).as(n).isEqualTo(layer ? Tensor.Storage.MAPPED_F32 : Tensor.Storage.F32);
            assertThat(m.toFloat32().data()).as(n).isEqualTo(h.data());
            assertThat(mapped.get(n).isMapped()).as("get(%s) is heap float32", n).isFalse();
        }
    }
}

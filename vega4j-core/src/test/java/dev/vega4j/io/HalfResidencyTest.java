package dev.vega4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which tensors a loader keeps half precision, and that they stay readable after the file is closed. */
class HalfResidencyTest {
    @TempDir
    Path dir;

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    private Path write(DType dtype) {
        Random r = new Random(1);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("linear.weight", random(r, 80, 64));
        m.put("conv.weight", random(r, 64, 8, 3, 3));
        m.put("small.weight", random(r, 8, 8));
        m.put("norm.weight", random(r, 5000));
        m.put("table.weight", random(r, 2, 40, 64)); // 3-D: not a layer weight shape
        Path p = dir.resolve(dtype + ".safetensors");
        SafetensorsWriter.write(p, m, Map.of(), dtype);
        return p;
    }

    @Test
    void largeHalfLayerWeightsStayHalfTheRestIsFloat32() {
        for (DType dtype : new DType[] {DType.F16, DType.BF16}) {
            Path p = write(dtype);
            Map<String, Tensor> asHalf = new LinkedHashMap<>();
            try (SafetensorsWeights w = SafetensorsWeights.open(p)) {
                for (String n : new String[] {"linear.weight", "conv.weight", "small.weight", "norm.weight",
                        "table.weight"}) {
                    asHalf.put(n, w.getWeightOptional(n));
                    assertThat(w.get(n).isHalf()).as("get(%s) is float32", n).isFalse();
                }
                assertThat(w.getWeight("linear.weight", 80, 64).storage())
                        .isEqualTo(dtype == DType.F16 ? Tensor.Storage.F16 : Tensor.Storage.BF16);
            }
            assertThat(asHalf.get("linear.weight").isHalf()).isTrue();
            assertThat(asHalf.get("conv.weight").isHalf()).isTrue();
            assertThat(asHalf.get("small.weight").isHalf()).as("below the size threshold").isFalse();
            assertThat(asHalf.get("norm.weight").isHalf()).as("1-D").isFalse();
            assertThat(asHalf.get("table.weight").isHalf()).as("3-D").isFalse();
            // after close the half tensors read from their own mapping, with the same values as a float32 load
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                for (String n : new String[] {"linear.weight", "conv.weight"}) {
                    assertThat(asHalf.get(n).toFloat32().data()).isEqualTo(f.load(n).data());
                }
            }
        }
    }

    @Test
    void float32FilesAndTheSwitchGiveFloat32() {
        try (SafetensorsWeights w = SafetensorsWeights.open(write(DType.F32))) {
            assertThat(w.getWeight("linear.weight", 80, 64).isHalf()).isFalse();
        }
        Path p = write(DType.F16);
        String before = System.setProperty(HalfResidency.FORCE_FP32_PROPERTY, "true");
        try (SafetensorsWeights w = SafetensorsWeights.open(p)) {
            assertThat(w.getWeight("linear.weight", 80, 64).isHalf()).isFalse();
        } finally {
            restore(HalfResidency.FORCE_FP32_PROPERTY, before);
        }
    }

    @Test
    void halfTensorsInMemoryReachPlainReadersAsFloat32() {
        Tensor h = dev.vega4j.tensor.Half.round(new float[64 * 64], false, 64, 64);
        MapWeights w = new MapWeights(Map.of("a.weight", h), "test");
        assertThat(w.getWeight("a.weight", 64, 64)).isSameAs(h);
        assertThat(w.get("a.weight").isHalf()).isFalse();
        assertThat(w.getOptional("a.weight").isHalf()).isFalse();
    }

    static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}

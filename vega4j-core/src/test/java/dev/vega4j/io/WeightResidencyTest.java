package dev.vega4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.tensor.Switches;
import dev.vega4j.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which tensors a loader keeps mapped, and that they stay readable after the file is closed. */
class WeightResidencyTest {
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
    void largeLayerWeightsStayMappedInTheirDtypeTheRestIsHeapFloat32() {
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            Path p = write(dtype);
            Map<String, Tensor> asMapped = new LinkedHashMap<>();
            try (SafetensorsWeights w = SafetensorsWeights.open(p)) {
                for (String n : new String[] {"linear.weight", "conv.weight", "small.weight", "norm.weight",
                        "table.weight"}) {
                    asMapped.put(n, w.getWeightOptional(n));
                    assertThat(w.get(n).isMapped()).as("get(%s) is heap float32", n).isFalse();
                }
                assertThat(w.getWeight("linear.weight", 80, 64).storage()).isEqualTo(switch (dtype) {
                    case F32 -> Tensor.Storage.MAPPED_F32;
                    case F16 -> Tensor.Storage.F16;
                    default -> Tensor.Storage.BF16;
                });
            }
            assertThat(asMapped.get("linear.weight").isMapped()).isTrue();
            assertThat(asMapped.get("linear.weight").isHalf()).isEqualTo(dtype != DType.F32);
            assertThat(asMapped.get("conv.weight").isMapped()).isTrue();
            assertThat(asMapped.get("small.weight").isMapped()).as("below the size threshold").isFalse();
            assertThat(asMapped.get("norm.weight").isMapped()).as("1-D").isFalse();
            assertThat(asMapped.get("table.weight").isMapped()).as("3-D").isFalse();
            // after close the mapped tensors read from their own mapping, with the same values as a float32 load
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                for (String n : new String[] {"linear.weight", "conv.weight"}) {
                    assertThat(asMapped.get(n).toFloat32().data()).isEqualTo(f.load(n).data());
                }
            }
        }
    }

    @Test
    void float32AtAnUnalignedFileOffsetReadsBackExactly() throws Exception {
        // a 1-byte U8 tensor first puts the float32 weight at an odd offset of the data section (written by hand: the
        // writer pads nothing, but it only writes one dtype)
        Random r = new Random(3);
        Tensor heap = random(r, 70, 64);
        long bytes = 4L * heap.numel();
        String json = "{\"a.flag\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"b.weight\":{\"dtype\":\"F32\",\"shape\":[70,64],\"data_offsets\":[1," + (1 + bytes) + "]}}";
        byte[] header = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length + 1 + (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length).put(header).put((byte) 1);
        for (float v : heap.data()) {
            buf.putFloat(v);
        }
        Path p = dir.resolve("odd.safetensors");
        Files.write(p, buf.array());
        try (SafetensorsWeights w = SafetensorsWeights.open(p)) {
            assertThat(w.info("b.weight").begin() % 4).isNotZero();
            Tensor t = w.getWeight("b.weight", 70, 64);
            assertThat(t.storage()).isEqualTo(Tensor.Storage.MAPPED_F32);
            assertThat(t.toFloat32().data()).isEqualTo(heap.data());
            assertThat(t.get(69, 63)).isEqualTo(heap.get(69, 63));
        }
    }

    @Test
    void theSwitchGivesHeapFloat32() {
        for (DType dtype : new DType[] {DType.F32, DType.F16}) {
            Path p = write(dtype);
            Switches.withOverrides(Map.of(WeightResidency.FORCE_FP32_PROPERTY, "true"), () -> {
                try (SafetensorsWeights w = SafetensorsWeights.open(p)) {
                    Tensor t = w.getWeight("linear.weight", 80, 64);
                    assertThat(t.isMapped()).isFalse();
                    t.data()[0] = 1f; // writable
                }
                return null;
            });
        }
    }

    @Test
    void halfTensorsInMemoryReachPlainReadersAsFloat32() {
        Tensor h = dev.vega4j.tensor.Half.round(new float[64 * 64], false, 64, 64);
        MapWeights w = new MapWeights(Map.of("a.weight", h), "test");
        assertThat(w.getWeight("a.weight", 64, 64)).isSameAs(h);
        assertThat(w.get("a.weight").isMapped()).isFalse();
        assertThat(w.getOptional("a.weight").isMapped()).isFalse();
    }
}

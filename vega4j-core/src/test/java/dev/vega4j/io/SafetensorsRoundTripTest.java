package dev.vega4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    /** Values that exercise rounding: specials, subnormals, ties, the extremes of each format. */
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, 0.1f, 65504f, 65520f, 1e-8f, 6.1e-5f, 5.96e-8f,
            Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x3f808000), Float.intBitsToFloat(0x3f818000),
            Float.intBitsToFloat(0x7f7fffff), 3.14159265f};

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void writerAndReaderRoundTrip(DType dtype) {
        Random rnd = new Random(42 + dtype.ordinal());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("special", Tensor.of(SPECIAL.clone(), SPECIAL.length));
        tensors.put("scalar", Tensor.scalar(2.5f));
        tensors.put("empty", Tensor.of(new float[0], 0, 3));
        float[] big = new float[2 * 3 * 5 * 7];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
        }
        tensors.put("block.0.weight", Tensor.of(big, 2, 3, 5, 7));
        Path p = dir.resolve("m.safetensors");
        SafetensorsWriter.write(p, tensors, Map.of("format", "pt", "note", "ünïcode"), dtype);

        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.tensors().keySet()).containsExactlyElementsOf(tensors.keySet());
            assertThat(f.metadata()).containsEntry("format", "pt").containsEntry("note", "ünïcode");
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor back = f.load(e.getKey());
                assertThat(back.shape()).isEqualTo(e.getValue().shape());
                assertThat(f.info(e.getKey()).dtype()).isEqualTo(dtype);
                float[] in = e.getValue().data(), out = back.data();
                for (int i = 0; i < in.length; i++) {
                    float expected = switch (dtype) {
                        case F32 -> in[i];
                        case F16 -> Float.float16ToFloat(Float.floatToFloat16(in[i]));
                        default -> bf16(in[i]);
                    };
                    assertThat(Float.floatToIntBits(out[i])).as("%s[%d] = %s", e.getKey(), i, in[i])
                            .isEqualTo(Float.floatToIntBits(expected));
                }
            }
        }
    }

    /** Reference float → bfloat16 → float: round to nearest, ties to even, on the upper 16 bits. */
    private static float bf16(float v) {
        if (Float.isNaN(v)) {
            return Float.NaN;
        }
        int bits = Float.floatToRawIntBits(v);
        int lower = bits & 0xffff;
        int upper = bits >>> 16;
        if (lower > 0x8000 || (lower == 0x8000 && (upper & 1) == 1)) {
            upper++;
        }
        return Float.intBitsToFloat(upper << 16);
    }

    @Test
    void streamedEntriesAreReadOneAtATimeAndAWrongSizeLeavesNoFile() throws IOException {
        Path p = dir.resolve("streamed.safetensors");
        java.util.List<String> asked = new java.util.ArrayList<>();
        SafetensorsWriter.write(p, java.util.List.of(
                new SafetensorsWriter.Entry("b", new int[] {2, 2}, () -> {
                    asked.add("b");
                    return Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
                }),
                new SafetensorsWriter.Entry("a", new int[] {3}, () -> {
                    asked.add("a");
                    return Tensor.of(new float[] {-1, 0.5f, 7}, 3);
                })), Map.of(), DType.F16);
        assertThat(asked).containsExactly("b", "a");
        try (SafetensorsWeights w = SafetensorsWeights.open(p)) {
            assertThat(w.shape("b")).containsExactly(2, 2);
            assertThat(w.get("a").data()).containsExactly(-1, 0.5f, 7);
            assertThat(w.info("a").dtype()).isEqualTo(DType.F16);
        }
        Path bad = dir.resolve("bad.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.write(bad, java.util.List.of(new SafetensorsWriter.Entry("x",
                new int[] {4}, () -> Tensor.of(new float[] {1, 2, 3}, 3))), Map.of(), DType.F32))
                .hasMessageContaining("'x' has 3 values");
        try (var s = Files.list(dir)) {
            assertThat(s.map(x -> x.getFileName().toString())).containsExactly("streamed.safetensors");
        }
    }

    @Test
    void dataSectionIsAlignedAndTheFileAppearsAtomically() throws IOException {
        Path p = dir.resolve("a.safetensors");
        SafetensorsWriter.write(p, Map.of("x", Tensor.of(new float[] {1, 2, 3}, 3)), Map.of());
        byte[] b = Files.readAllBytes(p);
        long headerLen = java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLen % 8).isZero();
        try (var s = Files.list(dir)) {
            assertThat(s.map(x -> x.getFileName().toString())).containsExactly("a.safetensors"); // no temp left
        }
    }

    @Test
    void shardedCheckpointsOpenThroughTheirIndex() throws IOException {
        SafetensorsWriter.write(dir.resolve("m-00001-of-00002.safetensors"),
                Map.of("a.weight", Tensor.of(new float[] {1, 2}, 2)), Map.of());
        SafetensorsWriter.write(dir.resolve("m-00002-of-00002.safetensors"),
                Map.of("b.weight", Tensor.of(new float[] {3}, 1), "b.bias", Tensor.of(new float[] {4}, 1)), Map.of(),
                DType.F16);
        Path index = dir.resolve("m.safetensors.index.json");
        Files.writeString(index, """
                {"metadata": {"total_size": 14}, "weight_map": {
                  "a.weight": "m-00001-of-00002.safetensors",
                  "b.weight": "m-00002-of-00002.safetensors",
                  "b.bias": "m-00002-of-00002.safetensors"}}""");
        try (SafetensorsWeights w = SafetensorsWeights.open(index)) {
            assertThat(w.allNames()).containsExactlyInAnyOrder("a.weight", "b.weight", "b.bias");
            assertThat(w.sub("b").get("weight").data()).containsExactly(3f);
            assertThat(w.get("a.weight", 2).data()).containsExactly(1f, 2f);
            assertThat(w.info("b.bias").dtype()).isEqualTo(DType.F16);
            assertThat(w.unusedNames()).containsExactly("b.bias");
            assertThatThrownBy(() -> w.get("c.weight")).isInstanceOf(MissingWeightsException.class)
                    .hasMessageContaining("c.weight");
        }
    }

    @Test
    void brokenShardIndexesAreTypedErrors() throws IOException {
        SafetensorsWriter.write(dir.resolve("s1.safetensors"), Map.of("x", Tensor.of(new float[] {1}, 1)), Map.of());
        SafetensorsWriter.write(dir.resolve("s2.safetensors"), Map.of("x", Tensor.of(new float[] {2}, 1)), Map.of());
        Path dup = dir.resolve("dup.safetensors.index.json");
        Files.writeString(dup, "{\"weight_map\": {\"x\": \"s1.safetensors\", \"y\": \"s2.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsWeights.open(dup)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("also appears");
        Path missing = dir.resolve("missing.safetensors.index.json");
        Files.writeString(missing, "{\"weight_map\": {\"x\": \"nope.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsWeights.open(missing)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("nope.safetensors");
        Path noMap = dir.resolve("nomap.safetensors.index.json");
        Files.writeString(noMap, "{\"metadata\": {}}");
        assertThatThrownBy(() -> SafetensorsWeights.open(noMap)).isInstanceOf(VegaException.class)
                .hasMessageContaining("weight_map");
        Path notJson = dir.resolve("bad.safetensors.index.json");
        Files.writeString(notJson, "{weight_map");
        assertThatThrownBy(() -> SafetensorsWeights.open(notJson)).isInstanceOf(VegaException.class);
    }
}

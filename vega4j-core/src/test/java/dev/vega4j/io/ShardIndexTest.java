package dev.vega4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sharded checkpoint's index: its shards are files next to it, whatever the index says (found by fuzzing). */
class ShardIndexTest {
    private static byte[] oneTensor(String name) {
        byte[] h = ("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(new byte[4]);
        return out.toByteArray();
    }

    @Test
    void shardsNextToTheIndexOpen(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a.safetensors"), oneTensor("a"));
        Files.write(dir.resolve("b.safetensors"), oneTensor("b"));
        Path index = Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"a\":\"a.safetensors\",\"b\":\"./b.safetensors\"}}");
        try (SafetensorsWeights w = SafetensorsWeights.open(index)) {
            assertThat(w.allNames()).containsExactlyInAnyOrder("a", "b");
        }
    }

    @Test
    void shardNamesLeavingTheFolderOrNotFileNamesAreRefused(@TempDir Path root) throws Exception {
        Files.write(root.resolve("outside.safetensors"), oneTensor("outside"));
        Path dir = Files.createDirectory(root.resolve("snapshot"));
        Path index = dir.resolve("model.safetensors.index.json");
        for (String entry : new String[] {"\"../outside.safetensors\"", "\"" + root.resolve("outside.safetensors")
                + "\"", "\"sub/../../outside.safetensors\""}) {
            Files.writeString(index, "{\"weight_map\":{\"x\":" + entry + "}}");
            assertThatThrownBy(() -> SafetensorsWeights.open(index)).isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining("outside the index's folder");
        }
        Files.writeString(index, "{\"weight_map\":{\"x\":\"a\\u0000.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsWeights.open(index)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("not a file name");
        Files.writeString(index, "{\"weight_map\":{\"x\":{\"file\":1}}}");
        assertThatThrownBy(() -> SafetensorsWeights.open(index)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("must name a shard file");
    }
}

package dev.vega4j.io.checkpoint;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.io.SafetensorsWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken JSON next to a checkpoint is reported like every other config: the problem and where, no parser noise. */
class PipelineConfigsTest {

    @Test
    void aBrokenConfigNamesTheFileLineAndColumn(@TempDir Path dir) throws IOException {
        Path unet = Files.createDirectories(dir.resolve("unet")).resolve("config.json");
        Files.writeString(unet, "{\"sample_size\": 128,\n  \"in_channels\": 4,,\n}");
        assertThatThrownBy(() -> PipelineConfigs.fromFolder(dir)).isInstanceOf(VegaException.class)
                .hasMessageStartingWith(unet + ": cannot read config: Unexpected character (','")
                .hasMessageContaining("(line 2, column 20)")
                .hasMessageNotContaining("Source:").hasMessageNotContaining("REDACTED")
                .hasMessageNotContaining("com.fasterxml").hasMessageNotContaining("StreamReadFeature");
    }

    @Test
    void aBrokenShardIndexToo(@TempDir Path dir) throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\"");
        assertThatThrownBy(() -> SafetensorsWeights.open(index)).isInstanceOf(VegaException.class)
                .hasMessageContaining(index + ": cannot read shard index: Unexpected end-of-input")
                .hasMessageContaining("(start marker at line 1, column 16)").hasMessageEndingWith("(line 1, column 56)")
                .hasMessageNotContaining("Source:").hasMessageNotContaining("com.fasterxml");
    }
}

package dev.vega4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.conformance.Golden;
import dev.vega4j.hub.HubCache;
import dev.vega4j.hub.HubConfig;
import dev.vega4j.hub.DownloadListener;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.PipelineLoader;
import dev.vega4j.models.layers.AdaptableLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraSpecTest {
    @Test
    void specsParseSourceAndOptionalWeight() {
        assertThat(LoraSpec.parse("segmind/Segmind-VegaRT")).isEqualTo(new LoraSpec("segmind/Segmind-VegaRT", 1f));
        assertThat(LoraSpec.parse("x.safetensors:0.8")).isEqualTo(new LoraSpec("x.safetensors", 0.8f));
        assertThat(LoraSpec.parse("org/name@v1:-.5")).isEqualTo(new LoraSpec("org/name@v1", -0.5f));
        assertThat(LoraSpec.parse("C:\\loras\\x.safetensors")).isEqualTo(new LoraSpec("C:\\loras\\x.safetensors", 1f));
        assertThat(LoraSpec.parse("C:\\loras\\x.safetensors:2")).isEqualTo(new LoraSpec("C:\\loras\\x.safetensors", 2f));
        assertThatThrownBy(() -> LoraSpec.parse(" ")).isInstanceOf(LoraException.class);
        assertThatThrownBy(() -> LoraSpec.parse("x:1e9")).isInstanceOf(LoraException.class);
    }

    @Test
    void localFilesAndFoldersResolve(@TempDir Path dir) throws Exception {
        HubCache offline = new HubCache(HubConfig.fromEnvironment().withOffline(true));
        Path one = Files.createDirectories(dir.resolve("one"));
        Files.writeString(one.resolve("my_lora.safetensors"), "x");
        assertThat(LoraSource.resolve(one.toString(), offline, DownloadListener.NONE))
                .isEqualTo(one.resolve("my_lora.safetensors"));
        Files.writeString(one.resolve("other.safetensors"), "x");
        assertThatThrownBy(() -> LoraSource.resolve(one.toString(), offline, DownloadListener.NONE))
                .isInstanceOf(LoraException.class).hasMessageContaining("several");
        Files.writeString(one.resolve(LoraSource.DEFAULT_WEIGHT_NAME), "x");
        assertThat(LoraSource.resolve(one.toString(), offline, DownloadListener.NONE))
                .isEqualTo(one.resolve(LoraSource.DEFAULT_WEIGHT_NAME));
        assertThat(LoraSource.resolve(one.resolve("other.safetensors").toString(), offline, DownloadListener.NONE))
                .isEqualTo(one.resolve("other.safetensors"));
        assertThatThrownBy(() -> LoraSource.resolve(dir.resolve("missing.safetensors").toString(), offline,
                DownloadListener.NONE)).hasMessageContaining("not found");
    }

    @Test
    void lorasFuseIntoALoadedPipelineAndUnfuseRestoresIt() {
        Path golden = Golden.root();
        DiffusionPipeline pipe = PipelineLoader.load(golden.resolve("tiny-vega"));
        LoraTargets t = LoraTargets.of(pipe);
        AdaptableLayer q = t.layers(LoraComponent.UNET).get("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q");
        AdaptableLayer te2 = t.layers(LoraComponent.TEXT_ENCODER_2).get("text_model.encoder.layers.0.mlp.fc1");
        float[] q0 = q.weight().toFloat32().data().clone(), te20 = te2.weight().toFloat32().data().clone();
        List<LoraSpec> specs = List.of(new LoraSpec(golden.resolve("cases/lora/lora_kohya.safetensors").toString(),
                0.5f));
        List<LoraAdapter> adapters = Loras.load(specs, new HubCache(HubConfig.fromEnvironment().withOffline(true)), DownloadListener.NONE);
        List<FusedLora> fused = Loras.fuse(pipe, specs, adapters);
        assertThat(q.weight().toFloat32().data()).isNotEqualTo(q0);
        assertThat(te2.weight().toFloat32().data()).isNotEqualTo(te20);
        fused.reversed().forEach(FusedLora::unfuse);
        assertThat(q.weight().toFloat32().data()).isEqualTo(q0);
        assertThat(te2.weight().toFloat32().data()).isEqualTo(te20);
    }
}

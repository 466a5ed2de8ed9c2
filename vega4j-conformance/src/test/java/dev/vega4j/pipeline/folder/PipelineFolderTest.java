package dev.vega4j.pipeline.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.conformance.Golden;
import dev.vega4j.io.DType;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PipelineFolderTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny-vega", "tiny-sdxl", "tiny-sd15"})
    void goldenTinyPipelinesOpenWithWeightsAndConfigs(String name) {
        PipelineFolder f = PipelineFolder.open(Golden.root().resolve(name));
        boolean xl = !name.equals("tiny-sd15");
        assertThat(f.className()).isEqualTo(xl ? "StableDiffusionXLPipeline" : "StableDiffusionPipeline");
        List<String> expected = xl
                ? List.of("scheduler", "text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2", "unet", "vae")
                : List.of("scheduler", "text_encoder", "tokenizer", "unet", "vae");
        assertThat(f.components().keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(f.has("safety_checker")).isFalse(); // [null, null] in model_index.json
        assertThat(f.weightsFile("unet").getFileName()).hasToString("diffusion_pytorch_model.safetensors");
        assertThat(f.weightsFile("vae").getFileName()).hasToString("diffusion_pytorch_model.safetensors");
        assertThat(f.weightsFile("text_encoder").getFileName()).hasToString("model.safetensors");
        assertThat(f.component("scheduler").kind()).isEqualTo(ComponentSpec.Kind.SCHEDULER);
        assertThat(f.config("scheduler").path("_class_name").asText()).endsWith("Scheduler");
        assertThat(f.unetConfig()).isNotNull();
        assertThat(f.vaeConfig()).isNotNull();
        assertThat(f.textEncoderConfig("text_encoder")).isNotNull();
        assertThat(f.tokenizer("tokenizer").encode("a photo of a cat"))
                .containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
        if (xl) {
            assertThat(f.textEncoderConfig("text_encoder_2")).isNotNull();
            assertThat(f.tokenizer("tokenizer_2").padTokenId()).isZero();
            assertThat(f.modelIndex().path("force_zeros_for_empty_prompt").asBoolean()).isTrue();
        }
        try (SafetensorsWeights w = f.openWeights("unet")) {
            assertThat(w.allNames()).contains("conv_in.weight");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vega", "sdxl"})
    void realSizeConfigsOpenConfigsOnly(String name) {
        Path dir = Golden.root().resolve("realsize-configs").resolve(name);
        PipelineFolder f = PipelineFolder.openConfigsOnly(dir);
        assertThat(f.configsOnly()).isTrue();
        assertThat(f.components()).containsKeys("unet", "vae", "text_encoder", "text_encoder_2", "scheduler");
        assertThat(f.unetConfig()).isNotNull();
        assertThat(f.vaeConfig()).isNotNull();
        assertThat(f.textEncoderConfig("text_encoder_2")).isNotNull();
        assertThat(f.config("unet").path("mid_block_type").asText())
                .isEqualTo(name.equals("vega") ? "UNetMidBlock2D" : "UNetMidBlock2DCrossAttn");
        assertThat(f.findWeights("unet")).isEmpty();
        assertThatThrownBy(() -> f.weightsFile("unet")).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining("configs-only");
        // With weights required, the first model component without weights is named with its expected file.
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining(".safetensors").hasMessageContaining("configs-only mode");
    }

    @Test
    void aComponentWithOnlyOneVariantUsesItAndARequestedVariantFallsBackToPlainFiles(@TempDir Path dir)
            throws IOException {
        writeIndex(dir, "\"unet\": [\"diffusers\", \"UNet2DConditionModel\"]");
        Path unet = Files.createDirectories(dir.resolve("unet"));
        Files.writeString(unet.resolve("config.json"), "{}");
        SafetensorsWriter.write(unet.resolve("diffusion_pytorch_model.fp16.safetensors"),
                Map.of("w", Tensor.of(new float[] {1.5f, -2f}, 2)), Map.of(), DType.F16);

        PipelineFolder f = PipelineFolder.open(dir);
        assertThat(f.weightsFile("unet").getFileName()).hasToString("diffusion_pytorch_model.fp16.safetensors");
        try (SafetensorsWeights w = f.openWeights("unet")) {
            assertThat(w.get("w").data()).containsExactly(1.5f, -2f);
        }
        // Two variants and no plain file: no silent pick.
        SafetensorsWriter.write(unet.resolve("diffusion_pytorch_model.bf16.safetensors"),
                Map.of("w", Tensor.of(new float[] {1f}, 1)), Map.of(), DType.BF16);
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining("component 'unet'").hasMessageContaining("diffusion_pytorch_model.safetensors")
                .hasMessageContaining("variant \"bf16\", variant \"fp16\"");
        assertThat(PipelineFolder.open(dir, PipelineFolder.Options.DEFAULT.withVariant("fp16")).weightsFile("unet")
                .getFileName()).hasToString("diffusion_pytorch_model.fp16.safetensors");
        // A component without the requested variant falls back to its plain weights.
        SafetensorsWriter.write(unet.resolve("diffusion_pytorch_model.safetensors"),
                Map.of("w", Tensor.of(new float[] {1f}, 1)), Map.of());
        Files.delete(unet.resolve("diffusion_pytorch_model.fp16.safetensors"));
        assertThat(PipelineFolder.open(dir, PipelineFolder.Options.DEFAULT.withVariant("fp16")).weightsFile("unet")
                .getFileName()).hasToString("diffusion_pytorch_model.safetensors");
    }

    @Test
    void shardedWeightsAreOpenedThroughTheirIndex(@TempDir Path dir) throws IOException {
        writeIndex(dir, "\"text_encoder\": [\"transformers\", \"CLIPTextModel\"]");
        Path te = Files.createDirectories(dir.resolve("text_encoder"));
        Files.writeString(te.resolve("config.json"), "{}");
        SafetensorsWriter.write(te.resolve("model-00001-of-00002.safetensors"),
                Map.of("a", Tensor.of(new float[] {1f}, 1)), Map.of());
        SafetensorsWriter.write(te.resolve("model-00002-of-00002.safetensors"),
                Map.of("b", Tensor.of(new float[] {2f, 3f}, 2)), Map.of());
        Files.writeString(te.resolve("model.safetensors.index.json"), """
                {"metadata": {"total_size": 12}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                 "b": "model-00002-of-00002.safetensors"}}""");
        PipelineFolder f = PipelineFolder.open(dir);
        assertThat(f.weightsFile("text_encoder").getFileName()).hasToString("model.safetensors.index.json");
        try (SafetensorsWeights w = f.openWeights("text_encoder")) {
            assertThat(w.get("a").data()).containsExactly(1f);
            assertThat(w.get("b").data()).containsExactly(2f, 3f);
        }
    }

    @Test
    void missingPiecesAreNamedWithWhatToDo(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining("model_index.json is missing");

        writeIndex(dir, "\"vae\": [\"diffusers\", \"AutoencoderKL\"]");
        assertThatThrownBy(() -> PipelineFolder.open(dir)).hasMessageContaining("component 'vae'")
                .hasMessageContaining(dir.resolve("vae").toString());

        Path vae = Files.createDirectories(dir.resolve("vae"));
        assertThatThrownBy(() -> PipelineFolder.open(dir)).hasMessageContaining(vae.resolve("config.json").toString());

        Files.writeString(vae.resolve("config.json"), "{}");
        Files.writeString(vae.resolve("diffusion_pytorch_model.bin"), "pickle");
        assertThatThrownBy(() -> PipelineFolder.open(dir)).hasMessageContaining("safetensors only");
        assertThat(PipelineFolder.openConfigsOnly(dir).config("vae").isObject()).isTrue();

        assertThatThrownBy(() -> PipelineFolder.openConfigsOnly(dir).component("unet"))
                .isInstanceOf(PipelineFolderException.class).hasMessageContaining("no component 'unet'");
    }

    @Test
    void malformedModelIndexIsATypedError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("model_index.json"), "[1, 2]");
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining("expected a JSON object");
        Files.writeString(dir.resolve("model_index.json"), "{\"_class_name\": \"X\", \"unet\": [\"diffusers\"]}");
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining("[library, class]");
        Files.writeString(dir.resolve("model_index.json"), "{\"_class_name\": \"X\", \"../x\": [\"a\", \"B\"]}");
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining("not a folder name");
        Files.writeString(dir.resolve("model_index.json"), "{not json");
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void jsonErrorsGiveLineAndColumnWithoutParserNoise(@TempDir Path dir) throws IOException {
        // a file cut short while copying: the user needs where it breaks, not Jackson's "Source: REDACTED" trailer
        Files.writeString(dir.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionXLPipeline\",\n");
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining("model_index.json: not valid JSON: Unexpected end-of-input")
                .hasMessageContaining("(line 2, column 1)")
                .hasMessageNotContaining("REDACTED").hasMessageNotContaining("StreamReadFeature");
        Files.write(dir.resolve("model_index.json"), new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(PipelineFolderException.class)
                .hasMessageContaining("not valid JSON: not UTF-8 text");
    }

    private static void writeIndex(Path dir, String components) throws IOException {
        Files.writeString(dir.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionXLPipeline\", "
                + "\"safety_checker\": [null, null], " + components + "}");
    }
}

package dev.vega4j.io.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.conformance.Golden;
import dev.vega4j.io.DType;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.Weights;
import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Converts each golden tiny pipeline (diffusers folder) into the single-file layout and reads it back through the
 * single-file mapping: every tensor must come back under its diffusers name, bit for bit.
 */
class SingleFileRoundTripTest {
    @TempDir
    static Path tmp;

    /** The single-file conversion of a golden tiny pipeline (made once per test class). */
    private static Path converted(String model) {
        Path file = tmp.resolve(model + ".safetensors");
        if (!java.nio.file.Files.exists(file)) {
            SingleFileWriter.convertFolder(Golden.root().resolve(model), file, DType.F32);
        }
        return file;
    }

    @ParameterizedTest
    @CsvSource({"tiny-vega, VEGA", "tiny-sdxl, SDXL", "tiny-sd15, SD15"})
    void everyTensorComesBackBitExact(String model, CheckpointVariant expected) {
        Path dir = Golden.root().resolve(model);
        Path file = converted(model);

        try (SingleFileCheckpoint ckpt = SingleFileCheckpoint.open(file, PipelineConfigs.fromFolder(dir))) {
            assertThat(ckpt.variant()).isEqualTo(expected);
            assertThat(ckpt.unmappedNames()).isEmpty();
            assertThat(ckpt.components()).containsExactlyElementsOf(
                    expected.xl() ? List.of("unet", "vae", "text_encoder", "text_encoder_2")
                            : List.of("unet", "vae", "text_encoder"));
            for (String c : ckpt.components()) {
                String fn = c.startsWith("text_encoder") ? "model.safetensors" : "diffusion_pytorch_model.safetensors";
                try (SafetensorsWeights ref = SafetensorsWeights.open(dir.resolve(c).resolve(fn))) {
                    Weights ours = ckpt.component(c);
                    Set<String> missing = new TreeSet<>(ref.names());
                    missing.removeAll(ours.names());
                    Set<String> extra = new TreeSet<>(ours.names());
                    extra.removeAll(ref.names());
                    assertThat(missing).as(c + " names missing").isEmpty();
                    assertThat(extra).as(c + " names extra").isEmpty();
                    for (String name : ref.names()) {
                        Tensor a = ours.get(name), b = ref.get(name);
                        assertThat(a.shape()).as(c + " " + name).containsExactly(b.shape());
                        assertThat(a.data()).as(c + " " + name).isEqualTo(b.data());
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"tiny-vega", "tiny-sdxl", "tiny-sd15"})
    void singleFileNamesAndShapesFollowTheLdmLayout(String model) {
        Path dir = Golden.root().resolve(model);
        Path file = converted(model);
        try (SafetensorsWeights w = SafetensorsWeights.open(file)) {
            Map<String, int[]> expect = switch (model) {
                // levels 24/40/56, 2 resnets each: input 1,2 | op 3 | 4,5 | op 6 | 7,8; Vega's mid block = one ResBlock
                case "tiny-vega" -> Map.of(
                        "model.diffusion_model.input_blocks.3.0.op.weight", new int[] {24, 24, 3, 3},
                        "model.diffusion_model.input_blocks.8.1.transformer_blocks.1.attn2.to_k.weight",
                        new int[] {56, 68},
                        "model.diffusion_model.middle_block.0.in_layers.0.weight", new int[] {56},
                        "model.diffusion_model.output_blocks.2.2.conv.weight", new int[] {56, 56, 3, 3},
                        "model.diffusion_model.output_blocks.5.2.conv.weight", new int[] {40, 40, 3, 3},
                        "model.diffusion_model.label_emb.0.0.weight", new int[] {96, 96},
                        "first_stage_model.encoder.mid.attn_1.q.weight", new int[] {32, 32, 1, 1},
                        "first_stage_model.decoder.up.0.block.0.nin_shortcut.weight", new int[] {16, 32, 1, 1},
                        "conditioner.embedders.1.model.transformer.resblocks.2.attn.in_proj_weight", new int[] {108, 36},
                        "conditioner.embedders.1.model.text_projection", new int[] {36, 24});
                // Down / CrossAttnDown: the attention-less up block 1 is last, so no upsampler there
                case "tiny-sdxl" -> Map.of(
                        "model.diffusion_model.middle_block.1.transformer_blocks.1.ff.net.2.weight",
                        new int[] {32, 128},
                        "model.diffusion_model.middle_block.2.out_layers.3.weight", new int[] {32, 32, 3, 3},
                        "model.diffusion_model.output_blocks.2.2.conv.weight", new int[] {32, 32, 3, 3},
                        "model.diffusion_model.output_blocks.3.0.skip_connection.weight", new int[] {16, 48, 1, 1},
                        "conditioner.embedders.0.transformer.text_model.encoder.layers.4.mlp.fc1.weight",
                        new int[] {37, 32},
                        "conditioner.embedders.1.model.positional_embedding", new int[] {77, 32},
                        "conditioner.embedders.1.model.transformer.resblocks.4.attn.in_proj_bias", new int[] {96});
                // CrossAttnDown x3, Down / Up, CrossAttnUp x3: the attention-less up block 0 has its upsampler at .1
                default -> Map.of(
                        "model.diffusion_model.input_blocks.11.0.emb_layers.1.weight", new int[] {32, 64},
                        "model.diffusion_model.output_blocks.2.1.conv.weight", new int[] {32, 32, 3, 3},
                        "model.diffusion_model.output_blocks.5.2.conv.weight", new int[] {32, 32, 3, 3},
                        "model.diffusion_model.output_blocks.11.1.proj_in.weight", new int[] {16, 16, 1, 1},
                        "model.diffusion_model.time_embed.2.weight", new int[] {64, 64},
                        "model.diffusion_model.out.2.weight", new int[] {4, 16, 3, 3},
                        "cond_stage_model.transformer.text_model.final_layer_norm.weight", new int[] {32},
                        "first_stage_model.decoder.up.3.upsample.conv.weight", new int[] {32, 32, 3, 3});
            };
            expect.forEach((name, shape) -> assertThat(w.info(name).intShape()).as(name).containsExactly(shape));
        }
    }

    @ParameterizedTest
    @CsvSource({"tiny-vega, text_encoder_2", "tiny-sdxl, text_encoder"})
    void textEncoderFromTheSingleFileEncodesLikeTheFolder(String model, String component) {
        Path dir = Golden.root().resolve(model);
        Path file = converted(model);
        int[][] ids = {{49406, 320, 1125, 539, 320, 2368, 49407, 0, 0}};
        var folder = ClipTextEncoder.fromPretrained(dir.resolve(component)).forward(ids);
        try (SingleFileCheckpoint ckpt = SingleFileCheckpoint.open(file, PipelineConfigs.fromFolder(dir))) {
            ClipTextConfig cfg = ClipTextConfig.fromJson(
                    ckpt.configs().json(component + "/config.json"), component);
            var single = ClipTextEncoder.create(cfg, ckpt.component(component)).forward(ids);
            assertThat(single.lastHiddenState().data()).isEqualTo(folder.lastHiddenState().data());
            assertThat(single.hiddenState(-2).data()).isEqualTo(folder.hiddenState(-2).data());
            if (folder.textEmbeds() != null) {
                assertThat(single.textEmbeds().data()).isEqualTo(folder.textEmbeds().data());
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"tiny-vega", "tiny-sd15"})
    void aStandAloneLdmVaeLoadsUnderDiffusersNames(String model) {
        Path dir = Golden.root().resolve(model);
        try (SafetensorsWeights single = SafetensorsWeights.open(converted(model));
                SafetensorsWeights ref = SafetensorsWeights.open(dir.resolve("vae/diffusion_pytorch_model.safetensors"))) {
            // the VAE part of the checkpoint without its prefix: what a separate *.vae.safetensors holds
            Map<String, Tensor> vae = new java.util.LinkedHashMap<>();
            for (String n : single.allNames()) {
                if (n.startsWith("first_stage_model.")) {
                    vae.put(n.substring("first_stage_model.".length()), single.get(n));
                }
            }
            assertThat(LdmVae.isLdmVae(ref.allNames())).isFalse();
            Weights view = LdmVae.view(new dev.vega4j.io.MapWeights(vae, "vae.safetensors"),
                    PipelineConfigs.fromFolder(dir).json(PipelineConfigs.VAE));
            assertThat(view.names()).isEqualTo(ref.names());
            for (String n : ref.names()) {
                assertThat(view.get(n).data()).as(n).isEqualTo(ref.get(n).data());
            }
        }
    }
}

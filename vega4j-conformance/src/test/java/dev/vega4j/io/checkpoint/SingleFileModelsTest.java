package dev.vega4j.io.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.Golden;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.io.DType;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The UNet and VAE built from single-file checkpoints: real-size name coverage and tiny-model outputs. */
class SingleFileModelsTest {
    @TempDir
    static Path tmp;

    /**
     * Every parameter the real-size UNet and VAE of a family have (diffusers names, from the bundled config) has a
     * single-file name that maps back to it, and the single-file names are detected as that family.
     */
    @ParameterizedTest
    @EnumSource(CheckpointVariant.class)
    void realSizeParametersMapBothWaysAndTheFamilyIsDetected(CheckpointVariant v) {
        PipelineConfigs cfg = PipelineConfigs.bundled(v);
        Set<String> singleFile = new HashSet<>();
        NameMapping unet = Components.mapping(Components.UNET, cfg, true);
        var unetShapes = UNet2DConditionModel.parameterShapes(UNetConfig.fromJson(cfg.json(PipelineConfigs.UNET), v.id()));
        for (String name : unetShapes.keySet()) {
            Mapped m = unet.toSingleFile(name);
            assertThat(m).as(v + " unet " + name).isNotNull();
            assertThat(singleFile.add(CheckpointVariant.UNET + m.name())).as(v + " unique " + m.name()).isTrue();
            assertThat(unet.toDiffusers(m.name())).extracting(Mapped::name).as(name).containsExactly(name);
        }
        NameMapping vae = Components.mapping(Components.VAE, cfg, true);
        for (String name : AutoencoderKL.parameterShapes(VaeConfig.fromJson(cfg.json(PipelineConfigs.VAE), v.id()))
                .keySet()) {
            Mapped m = vae.toSingleFile(name);
            assertThat(m).as(v + " vae " + name).isNotNull();
            assertThat(singleFile.add("first_stage_model." + m.name())).isTrue();
            assertThat(vae.toDiffusers(m.name())).extracting(Mapped::name).containsExactly(name);
        }
        singleFile.add(Components.prefix(Components.TEXT_ENCODER, v.xl()) + "text_model.final_layer_norm.weight");
        if (v.xl()) {
            singleFile.add(Components.XL_OPEN_CLIP + "ln_final.weight");
        }
        assertThat(CheckpointVariant.detect(singleFile, v.id())).isEqualTo(v);

        String u = CheckpointVariant.UNET;
        switch (v) {
            case SDXL -> assertThat(singleFile).contains(u + "middle_block.1.transformer_blocks.9.attn2.to_k.weight",
                    u + "output_blocks.2.1.transformer_blocks.9.norm3.weight", u + "label_emb.0.0.weight");
            case VEGA -> assertThat(singleFile).contains(u + "output_blocks.0.1.transformer_blocks.1.ff.net.2.weight")
                    .doesNotContain(u + "output_blocks.3.1.transformer_blocks.1.ff.net.2.weight",
                            u + "middle_block.2.in_layers.0.weight");
            case SSD_1B -> assertThat(singleFile).contains(u + "output_blocks.2.1.transformer_blocks.9.attn1.to_q.weight",
                    u + "output_blocks.3.1.transformer_blocks.1.attn1.to_q.weight")
                    .doesNotContain(u + "output_blocks.1.1.transformer_blocks.4.attn1.to_q.weight",
                            u + "output_blocks.4.1.transformer_blocks.1.attn1.to_q.weight");
            case SD15 -> assertThat(singleFile).contains(u + "input_blocks.1.1.proj_in.weight",
                    u + "output_blocks.11.1.transformer_blocks.0.attn2.to_v.weight",
                    "first_stage_model.decoder.up.3.upsample.conv.weight");
        }
    }

    private static Path converted(String model) {
        Path file = tmp.resolve(model + ".safetensors");
        if (!Files.exists(file)) {
            SingleFileWriter.convertFolder(Golden.root().resolve(model), file, DType.F32);
        }
        return file;
    }

    private static GoldenCase firstCase(String group, String model, String idPart) {
        return GoldenGroup.load(Golden.root(), group).cases().stream()
                .filter(c -> model.equals(c.model()) && c.id().contains(idPart)).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @CsvSource({"tiny-vega", "tiny-sdxl", "tiny-sd15"})
    void unetAndVaeLoadedFromTheSingleFileReproduceTheGoldenOutputs(String model) {
        Path dir = Golden.root().resolve(model);
        try (SingleFileCheckpoint ckpt = SingleFileCheckpoint.open(converted(model), PipelineConfigs.fromFolder(dir))) {
            UNet2DConditionModel unet = UNet2DConditionModel.create(
                    UNetConfig.fromJson(ckpt.configs().json(PipelineConfigs.UNET), model), ckpt.component("unet"));
            GoldenCase c = firstCase("unet", model, "t999");
            try {
                var added = c.has("in.text_embeds")
                        ? new UNet2DConditionModel.AddedConditions(c.tensor("in.text_embeds"), c.tensor("in.time_ids"))
                        : null;
                Tensor out = unet.forward(c.tensor("in.sample"), c.tensor("in.timestep").data(),
                        c.tensor("in.encoder_hidden_states"), added, null);
                Comparison cmp = Comparison.maxRel("out.sample", out, c.tensor("out.sample"), 1e-4);
                assertThat(cmp.passed()).as(cmp.toString()).isTrue();
            } finally {
                c.close();
            }

            AutoencoderKL vae = AutoencoderKL.create(
                    VaeConfig.fromJson(ckpt.configs().json(PipelineConfigs.VAE), model), ckpt.component("vae"));
            GoldenCase d = firstCase("vae", model, "decode");
            try {
                Comparison cmp = Comparison.maxRel("out.sample", vae.decode(d.tensor("in.latents")),
                        d.tensor("out.sample"), 1e-4);
                assertThat(cmp.passed()).as(cmp.toString()).isTrue();
            } finally {
                d.close();
            }
        }
    }

    @Test
    void convertingWritesHalfPrecisionToo() {
        Path dir = Golden.root().resolve("tiny-sd15");
        Path file = tmp.resolve("tiny-sd15-f16.safetensors");
        SingleFileWriter.convertFolder(dir, file, DType.F16);
        try (SingleFileCheckpoint ckpt = SingleFileCheckpoint.open(file, PipelineConfigs.fromFolder(dir))) {
            Tensor w = ckpt.component("vae").get("decoder.mid_block.attentions.0.to_q.weight");
            assertThat(w.shape()).containsExactly(32, 32);
            assertThat(ckpt.singleFileWeights().names()).contains("first_stage_model.decoder.mid.attn_1.q.weight");
        }
    }
}

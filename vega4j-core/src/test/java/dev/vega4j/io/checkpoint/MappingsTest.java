package dev.vega4j.io.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.io.MapWeights;
import dev.vega4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Known name pairs of the real models (diffusers convert_from_ckpt.py) and family detection. */
class MappingsTest {

    private static void pair(NameMapping m, String singleFile, String diffusers) {
        assertThat(m.toDiffusers(singleFile)).as(singleFile).containsExactly(new Mapped(diffusers, Transform.IDENTITY));
        assertThat(m.toSingleFile(diffusers)).as(diffusers).isEqualTo(new Mapped(singleFile, Transform.IDENTITY));
    }

    private static NameMapping unet(CheckpointVariant v) {
        return Mappings.unet(UNetLayout.fromConfig(PipelineConfigs.bundled(v).json(PipelineConfigs.UNET)));
    }

    @Test
    void sdxlUNetNames() {
        NameMapping m = unet(CheckpointVariant.SDXL);
        pair(m, "time_embed.0.weight", "time_embedding.linear_1.weight");
        pair(m, "label_emb.0.2.bias", "add_embedding.linear_2.bias");
        pair(m, "input_blocks.0.0.weight", "conv_in.weight");
        pair(m, "input_blocks.3.0.op.weight", "down_blocks.0.downsamplers.0.conv.weight");
        pair(m, "input_blocks.4.0.skip_connection.weight", "down_blocks.1.resnets.0.conv_shortcut.weight");
        pair(m, "input_blocks.8.1.transformer_blocks.9.attn2.to_k.weight",
                "down_blocks.2.attentions.1.transformer_blocks.9.attn2.to_k.weight");
        pair(m, "middle_block.1.proj_in.weight", "mid_block.attentions.0.proj_in.weight");
        pair(m, "middle_block.2.emb_layers.1.bias", "mid_block.resnets.1.time_emb_proj.bias");
        pair(m, "output_blocks.2.2.conv.weight", "up_blocks.0.upsamplers.0.conv.weight");
        pair(m, "output_blocks.5.2.conv.bias", "up_blocks.1.upsamplers.0.conv.bias");
        pair(m, "output_blocks.8.0.out_layers.3.weight", "up_blocks.2.resnets.2.conv2.weight");
        pair(m, "out.0.weight", "conv_norm_out.weight");
        pair(m, "out.2.bias", "conv_out.bias");
        assertThat(m.toDiffusers("output_blocks.8.1.norm.weight")).isEmpty(); // up block 2 has no attentions
        assertThat(m.toDiffusers("input_blocks.9.0.in_layers.0.weight")).isEmpty();
    }

    @Test
    void sd15UNetNames() {
        NameMapping m = unet(CheckpointVariant.SD15);
        pair(m, "input_blocks.1.1.proj_in.weight", "down_blocks.0.attentions.0.proj_in.weight");
        pair(m, "input_blocks.9.0.op.bias", "down_blocks.2.downsamplers.0.conv.bias");
        pair(m, "input_blocks.11.0.in_layers.2.weight", "down_blocks.3.resnets.1.conv1.weight");
        pair(m, "output_blocks.2.1.conv.weight", "up_blocks.0.upsamplers.0.conv.weight");
        pair(m, "output_blocks.5.2.conv.weight", "up_blocks.1.upsamplers.0.conv.weight");
        pair(m, "output_blocks.8.2.conv.weight", "up_blocks.2.upsamplers.0.conv.weight");
        pair(m, "output_blocks.11.1.transformer_blocks.0.norm3.weight",
                "up_blocks.3.attentions.2.transformer_blocks.0.norm3.weight");
        assertThat(m.toDiffusers("label_emb.0.0.weight")).isEmpty();
    }

    @Test
    void vegaAndSsd1bMidBlockIsOneResNet() {
        for (CheckpointVariant v : List.of(CheckpointVariant.VEGA, CheckpointVariant.SSD_1B)) {
            NameMapping m = unet(v);
            pair(m, "middle_block.0.in_layers.0.weight", "mid_block.resnets.0.norm1.weight");
            pair(m, "output_blocks.5.2.conv.weight", "up_blocks.1.upsamplers.0.conv.weight");
        }
    }

    @Test
    void vaeNames() {
        NameMapping m = Mappings.vae(4);
        pair(m, "encoder.down.0.block.1.conv2.weight", "encoder.down_blocks.0.resnets.1.conv2.weight");
        pair(m, "encoder.down.1.block.0.nin_shortcut.bias", "encoder.down_blocks.1.resnets.0.conv_shortcut.bias");
        pair(m, "encoder.down.2.downsample.conv.weight", "encoder.down_blocks.2.downsamplers.0.conv.weight");
        pair(m, "encoder.norm_out.weight", "encoder.conv_norm_out.weight");
        pair(m, "decoder.mid.block_2.norm1.bias", "decoder.mid_block.resnets.1.norm1.bias");
        pair(m, "decoder.up.3.block.2.conv1.weight", "decoder.up_blocks.0.resnets.2.conv1.weight");
        pair(m, "decoder.up.1.upsample.conv.weight", "decoder.up_blocks.2.upsamplers.0.conv.weight");
        pair(m, "decoder.up.0.block.0.nin_shortcut.weight", "decoder.up_blocks.3.resnets.0.conv_shortcut.weight");
        pair(m, "encoder.mid.attn_1.norm.weight", "encoder.mid_block.attentions.0.group_norm.weight");
        pair(m, "decoder.mid.attn_1.q.bias", "decoder.mid_block.attentions.0.to_q.bias");
        assertThat(m.toDiffusers("decoder.mid.attn_1.proj_out.weight"))
                .containsExactly(new Mapped("decoder.mid_block.attentions.0.to_out.0.weight", Transform.CONV1X1_TO_LINEAR));
        assertThat(m.toSingleFile("encoder.mid_block.attentions.0.to_k.weight"))
                .isEqualTo(new Mapped("encoder.mid.attn_1.k.weight", Transform.CONV1X1_TO_LINEAR));
        pair(m, "post_quant_conv.weight", "post_quant_conv.weight");
    }

    @Test
    void openClipNames() {
        NameMapping m = Mappings.openClip();
        pair(m, "positional_embedding", "text_model.embeddings.position_embedding.weight");
        pair(m, "ln_final.bias", "text_model.final_layer_norm.bias");
        pair(m, "transformer.resblocks.31.ln_2.weight", "text_model.encoder.layers.31.layer_norm2.weight");
        pair(m, "transformer.resblocks.0.mlp.c_proj.bias", "text_model.encoder.layers.0.mlp.fc2.bias");
        pair(m, "transformer.resblocks.7.attn.out_proj.weight", "text_model.encoder.layers.7.self_attn.out_proj.weight");
        assertThat(m.toDiffusers("transformer.resblocks.3.attn.in_proj_weight")).containsExactly(
                new Mapped("text_model.encoder.layers.3.self_attn.q_proj.weight", Transform.QKV_Q),
                new Mapped("text_model.encoder.layers.3.self_attn.k_proj.weight", Transform.QKV_K),
                new Mapped("text_model.encoder.layers.3.self_attn.v_proj.weight", Transform.QKV_V));
        assertThat(m.toSingleFile("text_model.encoder.layers.3.self_attn.v_proj.bias"))
                .isEqualTo(new Mapped("transformer.resblocks.3.attn.in_proj_bias", Transform.QKV_V));
        assertThat(m.toDiffusers("text_projection"))
                .containsExactly(new Mapped("text_projection.weight", Transform.TRANSPOSE));
        assertThat(m.toDiffusers("logit_scale")).isEmpty();
    }

    @Test
    void clipNamesDropPositionIdsAndAcceptTheOldLayout() {
        assertThat(Mappings.clip(true).toDiffusers("text_model.embeddings.position_ids")).isEmpty();
        pair(Mappings.clip(true), "text_model.final_layer_norm.weight", "text_model.final_layer_norm.weight");
        pair(Mappings.clip(false), "encoder.layers.0.mlp.fc1.weight", "text_model.encoder.layers.0.mlp.fc1.weight");
    }

    @Test
    void transformsSliceTransposeAndReshape() {
        Tensor qkv = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 6);
        assertThat(Transform.QKV_K.toDiffusers(qkv, "b").data()).containsExactly(3, 4);
        Tensor p = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = Transform.TRANSPOSE.toDiffusers(p, "p");
        assertThat(t.shape()).containsExactly(3, 2);
        assertThat(t.data()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(Transform.CONV1X1_TO_LINEAR.toDiffusers(Tensor.zeros(4, 4, 1, 1), "q").shape()).containsExactly(4, 4);
        assertThat(Transform.CONV1X1_TO_LINEAR.toSingleFile(Tensor.zeros(4, 4), "q").shape()).containsExactly(4, 4, 1, 1);
        assertThatThrownBy(() -> Transform.CONV1X1_TO_LINEAR.toDiffusers(Tensor.zeros(4, 4, 3, 3), "q"))
                .isInstanceOf(VegaException.class).hasMessageContaining("1x1");
    }

    private static Set<String> names(String... ns) {
        return Set.of(ns);
    }

    @Test
    void detectsTheFamilyLikeStableDiffusionCpp() {
        String u = "model.diffusion_model.";
        String te2 = "conditioner.embedders.1.model.ln_final.weight";
        assertThat(CheckpointVariant.detect(names(u + "middle_block.1.norm.weight", te2), "f"))
                .isEqualTo(CheckpointVariant.SDXL);
        assertThat(CheckpointVariant.detect(names(u + "middle_block.0.in_layers.0.weight",
                u + "output_blocks.3.1.transformer_blocks.1.attn1.to_q.weight", te2), "f"))
                .isEqualTo(CheckpointVariant.SSD_1B);
        assertThat(CheckpointVariant.detect(names(u + "middle_block.0.in_layers.0.weight",
                u + "output_blocks.3.1.transformer_blocks.0.attn1.to_q.weight", te2), "f"))
                .isEqualTo(CheckpointVariant.VEGA);
        assertThat(CheckpointVariant.detect(names(u + "middle_block.1.norm.weight",
                "cond_stage_model.transformer.text_model.final_layer_norm.weight"), "f"))
                .isEqualTo(CheckpointVariant.SD15);
        assertThatThrownBy(() -> CheckpointVariant.detect(names(u + "x", "cond_stage_model.model.ln_final.weight"), "f"))
                .isInstanceOf(VegaException.class).hasMessageContaining("2.x");
        assertThatThrownBy(() -> CheckpointVariant.detect(names(u + "x", "conditioner.embedders.0.model.ln_final.weight"),
                "f")).isInstanceOf(VegaException.class).hasMessageContaining("refiner");
        assertThatThrownBy(() -> CheckpointVariant.detect(names("down_blocks.0.resnets.0.norm1.weight"), "f.safetensors"))
                .isInstanceOf(VegaException.class).hasMessageContaining("f.safetensors")
                .hasMessageContaining("diffusers");
    }

    @Test
    void aUNetOnlyFileIsToldApartByItsLabelEmbeddingAndUnknownLayoutsSayWhatTheyHold() {
        String u = "model.diffusion_model.";
        assertThat(CheckpointVariant.detect(names(u + "label_emb.0.0.weight", u + "middle_block.1.norm.weight"), "f"))
                .isEqualTo(CheckpointVariant.SDXL);
        assertThat(CheckpointVariant.detect(names(u + "label_emb.0.0.weight", u + "middle_block.0.in_layers.0.weight"),
                "f")).isEqualTo(CheckpointVariant.VEGA);
        assertThat(CheckpointVariant.detect(names(u + "label_emb.0.0.weight",
                u + "output_blocks.3.1.transformer_blocks.1.attn1.to_q.weight"), "f")).isEqualTo(CheckpointVariant.SSD_1B);
        assertThat(CheckpointVariant.detect(names(u + "middle_block.1.norm.weight"), "f")).isEqualTo(CheckpointVariant.SD15);
        assertThatThrownBy(() -> CheckpointVariant.detect(names("transformer.blocks.0.attn.weight",
                "transformer.blocks.1.attn.weight", "vae.decoder.conv.weight"), "x.safetensors"))
                .isInstanceOf(VegaException.class)
                .hasMessageContaining("x.safetensors")
                .hasMessageContaining("found transformer.blocks.* (2), vae.decoder.* (1)")
                .hasMessageContaining("SD 1.5").hasMessageContaining("SSD-1B").hasMessageContaining("Segmind Vega");

        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put(u + "input_blocks.0.0.weight", Tensor.zeros(320, 4, 3, 3));
        w.put(u + "label_emb.0.0.weight", Tensor.zeros(1280, 2816));
        try (SingleFileCheckpoint ckpt = SingleFileCheckpoint.of(new MapWeights(w, "unet.safetensors"), null)) {
            assertThat(ckpt.variant()).isEqualTo(CheckpointVariant.VEGA);
            assertThat(ckpt.components()).containsExactly("unet");
            assertThat(ckpt.has("vae")).isFalse();
            assertThatThrownBy(() -> ckpt.component("vae")).isInstanceOf(VegaException.class)
                    .hasMessageContaining("holds no vae");
        }
    }

    @Test
    void shapesMapLikeTheTensors() {
        Tensor conv = Tensor.zeros(8, 8, 1, 1), proj = Tensor.zeros(6, 4), qkv = Tensor.zeros(12, 4);
        assertThat(Transform.CONV1X1_TO_LINEAR.diffusersShape(conv.shape(), "q"))
                .containsExactly(Transform.CONV1X1_TO_LINEAR.toDiffusers(conv, "q").shape());
        assertThat(Transform.TRANSPOSE.diffusersShape(proj.shape(), "p"))
                .containsExactly(Transform.TRANSPOSE.toDiffusers(proj, "p").shape());
        assertThat(Transform.QKV_V.diffusersShape(qkv.shape(), "in_proj_weight"))
                .containsExactly(Transform.QKV_V.toDiffusers(qkv, "in_proj_weight").shape());
        for (Transform t : List.of(Transform.IDENTITY, Transform.TRANSPOSE, Transform.CONV1X1_TO_LINEAR)) {
            Tensor d = t.toDiffusers(t == Transform.CONV1X1_TO_LINEAR ? conv : proj, "x");
            assertThat(t.singleFileShape(d.shape())).as(t.name()).containsExactly(t.toSingleFile(d, "x").shape());
        }
    }

    @Test
    void bundledConfigsTakeInputChannelsFromTheWeightsAndRejectOtherWidths() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("model.diffusion_model.input_blocks.0.0.weight", Tensor.zeros(320, 9, 3, 3));
        w.put("model.diffusion_model.out.2.weight", Tensor.zeros(4, 320, 3, 3));
        w.put("model.diffusion_model.middle_block.1.norm.weight", Tensor.zeros(1280));
        w.put("cond_stage_model.transformer.text_model.final_layer_norm.weight", Tensor.zeros(768));
        w.put("model_ema.decay", Tensor.scalar(0.9999f));
        try (SingleFileCheckpoint ckpt = SingleFileCheckpoint.of(new MapWeights(w, "inpaint.safetensors"), null)) {
            assertThat(ckpt.variant()).isEqualTo(CheckpointVariant.SD15);
            assertThat(ckpt.configs().json(PipelineConfigs.UNET).get("in_channels").asInt()).isEqualTo(9);
            assertThat(ckpt.configs().json(PipelineConfigs.UNET).get("cross_attention_dim").asInt()).isEqualTo(768);
            assertThat(ckpt.component("unet").has("conv_in.weight")).isTrue();
            assertThat(ckpt.component("unet").has("mid_block.attentions.0.norm.weight")).isTrue();
            assertThat(ckpt.component("text_encoder").has("text_model.final_layer_norm.weight")).isTrue();
            assertThat(ckpt.unmappedNames()).containsExactly("model_ema.decay");
            assertThatThrownBy(() -> ckpt.component("text_encoder_2")).isInstanceOf(VegaException.class);
        }
        w.put("model.diffusion_model.input_blocks.0.0.weight", Tensor.zeros(24, 4, 3, 3));
        assertThatThrownBy(() -> SingleFileCheckpoint.of(new MapWeights(w, "odd.safetensors"), null))
                .isInstanceOf(VegaException.class).hasMessageContaining("odd.safetensors").hasMessageContaining("conv_in");
    }

    @Test
    void everyBundledFamilyHasCompleteConfigs() {
        for (CheckpointVariant v : CheckpointVariant.values()) {
            PipelineConfigs c = PipelineConfigs.bundled(v);
            assertThat(c.has(PipelineConfigs.MODEL_INDEX)).as(v.name()).isTrue();
            assertThat(c.has(PipelineConfigs.VAE)).isTrue();
            assertThat(c.has(PipelineConfigs.SCHEDULER)).isTrue();
            assertThat(c.has(PipelineConfigs.TEXT_ENCODER)).isTrue();
            assertThat(c.has(PipelineConfigs.TEXT_ENCODER_2)).isEqualTo(v.xl());
            assertThat(c.has("tokenizer/tokenizer_config.json")).isTrue();
        }
    }
}

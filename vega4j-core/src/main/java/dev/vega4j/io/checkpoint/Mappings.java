package dev.vega4j.io.checkpoint;

import dev.vega4j.io.checkpoint.PrefixMapping.Local;
import dev.vega4j.io.checkpoint.PrefixMapping.Rule;
import java.util.ArrayList;
import java.util.List;

/**
 * The name mappings of each component, after diffusers 0.26.3 {@code pipelines/stable_diffusion/convert_from_ckpt.py}
 * ({@code convert_ldm_unet_checkpoint}, {@code convert_ldm_vae_checkpoint}, {@code convert_open_clip_checkpoint}) and
 * stable-diffusion.cpp's {@code model.cpp} name conversion.
 */
public final class Mappings {
    private Mappings() {}

    /** LDM ResBlock → diffusers ResnetBlock2D ({@code renew_resnet_paths}). */
    private static final Local UNET_RESNET = Local.of(
            "in_layers.0", "norm1",
            "in_layers.2", "conv1",
            "emb_layers.1", "time_emb_proj",
            "out_layers.0", "norm2",
            "out_layers.3", "conv2",
            "skip_connection", "conv_shortcut");

    /** VAE ResnetBlock: only the shortcut is renamed ({@code renew_vae_resnet_paths}). */
    private static final Local VAE_RESNET = Local.of(
            "norm1", "norm1", "conv1", "conv1", "norm2", "norm2", "conv2", "conv2",
            "nin_shortcut", "conv_shortcut");

    /** VAE AttnBlock: 1x1 convolutions become Linear layers ({@code renew_vae_attention_paths}, {@code conv_attn_to_linear}). */
    private static final Local VAE_ATTENTION = Local.of("norm", "group_norm")
            .with("q", "to_q", Transform.CONV1X1_TO_LINEAR)
            .with("k", "to_k", Transform.CONV1X1_TO_LINEAR)
            .with("v", "to_v", Transform.CONV1X1_TO_LINEAR)
            .with("proj_out", "to_out.0", Transform.CONV1X1_TO_LINEAR);

    /**
     * UNet: {@code input_blocks.0.0} = conv_in; then per level its resnets ({@code input_blocks.i.0}) with their
     * transformers ({@code .1}), and a downsampler ({@code input_blocks.i.0.op}) after every level but the last;
     * {@code middle_block.0/1/2} = resnet, transformer, resnet (Vega and SSD-1B keep only {@code .0}); output blocks
     * mirror the levels with one resnet more, the upsampler after the transformer when there is one.
     */
    public static NameMapping unet(UNetLayout layout) {
        List<Rule> rules = new ArrayList<>();
        rules.add(new Rule("time_embedding.linear_1", "time_embed.0", Local.SAME));
        rules.add(new Rule("time_embedding.linear_2", "time_embed.2", Local.SAME));
        if (layout.labelEmbedding() != null) {
            rules.add(new Rule(layout.labelEmbedding() + ".linear_1", "label_emb.0.0", Local.SAME));
            rules.add(new Rule(layout.labelEmbedding() + ".linear_2", "label_emb.0.2", Local.SAME));
        }
        rules.add(new Rule("conv_in", "input_blocks.0.0", Local.SAME));
        int n = layout.levels();
        int input = 1;
        for (int level = 0; level < n; level++) {
            for (int j = 0; j < layout.layersPerBlock()[level]; j++, input++) {
                rules.add(new Rule("down_blocks." + level + ".resnets." + j, "input_blocks." + input + ".0", UNET_RESNET));
                if (layout.downHasAttention()[level]) {
                    rules.add(new Rule("down_blocks." + level + ".attentions." + j, "input_blocks." + input + ".1",
                            Local.SAME));
                }
            }
            if (level < n - 1) {
                rules.add(new Rule("down_blocks." + level + ".downsamplers.0.conv", "input_blocks." + input + ".0.op",
                        Local.SAME));
                input++;
            }
        }
        if (layout.midBlock() != UNetLayout.MidBlock.NONE) {
            rules.add(new Rule("mid_block.resnets.0", "middle_block.0", UNET_RESNET));
        }
        if (layout.midBlock() == UNetLayout.MidBlock.CROSS_ATTN) {
            rules.add(new Rule("mid_block.attentions.0", "middle_block.1", Local.SAME));
            rules.add(new Rule("mid_block.resnets.1", "middle_block.2", UNET_RESNET));
        }
        int output = 0;
        for (int up = 0; up < n; up++) {
            int layers = layout.layersPerBlock()[n - 1 - up] + 1;
            for (int j = 0; j < layers; j++, output++) {
                rules.add(new Rule("up_blocks." + up + ".resnets." + j, "output_blocks." + output + ".0", UNET_RESNET));
                if (layout.upHasAttention()[up]) {
                    rules.add(new Rule("up_blocks." + up + ".attentions." + j, "output_blocks." + output + ".1",
                            Local.SAME));
                }
                if (j == layers - 1 && up < n - 1) {
                    int at = layout.upHasAttention()[up] ? 2 : 1;
                    rules.add(new Rule("up_blocks." + up + ".upsamplers.0", "output_blocks." + output + "." + at,
                            Local.SAME));
                }
            }
        }
        rules.add(new Rule("conv_norm_out", "out.0", Local.SAME));
        rules.add(new Rule("conv_out", "out.2", Local.SAME));
        return new PrefixMapping(rules);
    }

    /**
     * VAE ({@code AutoencoderKL}) with {@code levels} = {@code len(block_out_channels)}: LDM numbers the decoder's
     * {@code up.i} from the highest resolution, diffusers' {@code up_blocks.i} from the lowest.
     */
    public static NameMapping vae(int levels) {
        List<Rule> rules = new ArrayList<>();
        for (String part : new String[] {"encoder", "decoder"}) {
            rules.add(new Rule(part + ".conv_in", part + ".conv_in", Local.SAME));
            rules.add(new Rule(part + ".conv_out", part + ".conv_out", Local.SAME));
            rules.add(new Rule(part + ".conv_norm_out", part + ".norm_out", Local.SAME));
            rules.add(new Rule(part + ".mid_block.resnets.0", part + ".mid.block_1", VAE_RESNET));
            rules.add(new Rule(part + ".mid_block.resnets.1", part + ".mid.block_2", VAE_RESNET));
            rules.add(new Rule(part + ".mid_block.attentions.0", part + ".mid.attn_1", VAE_ATTENTION));
        }
        for (int i = 0; i < levels; i++) {
            rules.add(new Rule("encoder.down_blocks." + i + ".resnets", "encoder.down." + i + ".block",
                    perIndex(VAE_RESNET)));
            rules.add(new Rule("encoder.down_blocks." + i + ".downsamplers.0", "encoder.down." + i + ".downsample",
                    Local.SAME));
            int ldm = levels - 1 - i;
            rules.add(new Rule("decoder.up_blocks." + i + ".resnets", "decoder.up." + ldm + ".block",
                    perIndex(VAE_RESNET)));
            rules.add(new Rule("decoder.up_blocks." + i + ".upsamplers.0", "decoder.up." + ldm + ".upsample",
                    Local.SAME));
        }
        rules.add(new Rule("quant_conv", "quant_conv", Local.SAME));
        rules.add(new Rule("post_quant_conv", "post_quant_conv", Local.SAME));
        return new PrefixMapping(rules);
    }

    /** "j.<resnet name>" with the resnet renaming applied after the index (at most 16 resnets per level). */
    private static Local perIndex(Local inner) {
        List<Local.Entry> es = new ArrayList<>();
        for (int j = 0; j < 16; j++) {
            for (Local.Entry e : inner.entries()) {
                es.add(new Local.Entry(j + "." + e.singleFile(), j + "." + e.diffusers(), e.weightTransform()));
            }
        }
        return new Local(List.copyOf(es), false);
    }

    /** OpenAI CLIP text model as transformers stores it (SD 1.x {@code cond_stage_model.transformer.}, SDXL encoder 1). */
    public static NameMapping clip(boolean textModelLevel) {
        return new ClipMapping(textModelLevel);
    }

    /** OpenCLIP text tower (SDXL's {@code conditioner.embedders.1.model.}). */
    public static NameMapping openClip() {
        return new OpenClipMapping();
    }
}

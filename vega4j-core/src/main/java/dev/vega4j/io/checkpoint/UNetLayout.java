package dev.vega4j.io.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;

/**
 * What the single-file ↔ diffusers UNet renaming needs from a diffusers {@code unet/config.json}: the resnets per level
 * ({@code layers_per_block}, an int or one per level), which up blocks carry attentions (their upsampler then sits at
 * index 2 of the LDM output block instead of 1), and where the label embedding goes.
 *
 * @param layersPerBlock  resnets of each down level (up level {@code i} has {@code layersPerBlock[n-1-i] + 1})
 * @param downHasAttention per down block: a {@code CrossAttn*} type (only then {@code input_blocks.i.1} is a transformer)
 * @param upHasAttention  per up block (diffusers order, lowest resolution first)
 * @param midBlock        the mid block's kind ({@code middle_block.0/1/2})
 * @param labelEmbedding  diffusers module of LDM's {@code label_emb.0}: {@code add_embedding} (SDXL "text_time"),
 *                        {@code class_embedding} ("projection"/"timestep"), or null
 */
public record UNetLayout(int[] layersPerBlock, boolean[] downHasAttention, boolean[] upHasAttention,
        MidBlock midBlock, String labelEmbedding) {

    /** diffusers' {@code mid_block_type}: resnet-transformer-resnet, a single resnet (Vega, SSD-1B), or none. */
    public enum MidBlock { CROSS_ATTN, RESNET_ONLY, NONE }

    public int levels() {
        return layersPerBlock.length;
    }

    public static UNetLayout fromConfig(JsonNode c) {
        JsonNode boc = c.get("block_out_channels");
        if (boc == null || !boc.isArray() || boc.isEmpty()) {
            throw new VegaException("UNet config has no block_out_channels list");
        }
        int n = boc.size();
        int[] lpb = new int[n];
        JsonNode l = c.get("layers_per_block");
        for (int i = 0; i < n; i++) {
            if (l == null || l.isNull()) {
                lpb[i] = 2; // diffusers' default
            } else if (l.isArray()) {
                if (l.size() != n) {
                    throw new VegaException("UNet config: layers_per_block has " + l.size() + " entries for " + n + " levels");
                }
                lpb[i] = l.get(i).asInt();
            } else {
                lpb[i] = l.asInt();
            }
        }
        // diffusers' defaults: (CrossAttnDownBlock2D ..., DownBlock2D) and (UpBlock2D, CrossAttnUpBlock2D ...)
        boolean[] downAttn = hasAttention(c, "down_block_types", n, n - 1);
        boolean[] upAttn = hasAttention(c, "up_block_types", n, 0);
        String mid = text(c, "mid_block_type");
        MidBlock midBlock;
        if (!c.has("mid_block_type") || "UNetMidBlock2DCrossAttn".equals(mid)) {
            midBlock = MidBlock.CROSS_ATTN;
        } else if ("UNetMidBlock2D".equals(mid)) {
            midBlock = MidBlock.RESNET_ONLY; // diffusers builds it with num_layers=0, add_attention=False
        } else if (mid == null) {
            midBlock = MidBlock.NONE;
        } else {
            throw new VegaException("UNet config: mid_block_type '" + mid + "' is not supported");
        }
        String label = null;
        if ("text_time".equals(text(c, "addition_embed_type"))) {
            label = "add_embedding";
        } else if (text(c, "class_embed_type") != null) {
            label = "class_embedding";
        }
        return new UNetLayout(lpb, downAttn, upAttn, midBlock, label);
    }

    private static boolean[] hasAttention(JsonNode c, String key, int n, int defaultPlainIndex) {
        JsonNode types = c.get(key);
        boolean[] out = new boolean[n];
        if (types == null || !types.isArray()) {
            for (int i = 0; i < n; i++) {
                out[i] = i != defaultPlainIndex;
            }
            return out;
        }
        if (types.size() != n) {
            throw new VegaException("UNet config: " + types.size() + " " + key + " for " + n + " levels");
        }
        for (int i = 0; i < n; i++) {
            out[i] = types.get(i).asText().contains("Attn");
        }
        return out;
    }

    private static String text(JsonNode c, String key) {
        JsonNode v = c.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}

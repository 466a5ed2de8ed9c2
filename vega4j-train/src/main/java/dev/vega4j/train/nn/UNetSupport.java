package dev.vega4j.train.nn;

import dev.vega4j.VegaException;
import dev.vega4j.config.UNetConfig;

/**
 * What the trainable UNet implements of diffusers' options: a config or a layer's options asking for more fail here,
 * naming the key. (Its blocks are built from the inference UNet's {@code BlockSpec}s, which carry options it lacks.)
 */
final class UNetSupport {
    private UNetSupport() {}

    /** Rejects what the trainable UNet does not implement, with the config key named. */
    static void check(UNetConfig c) {
        require(c.normNumGroups() != null, "norm_num_groups", "null");
        require("silu".equals(c.actFn()), "act_fn", c.actFn());
        require("positional".equals(c.timeEmbeddingType()), "time_embedding_type", c.timeEmbeddingType());
        require("default".equals(c.resnetTimeScaleShift()), "resnet_time_scale_shift", c.resnetTimeScaleShift());
        require(c.classEmbedType() == null && c.numClassEmbeds() == null, "class_embed_type", c.classEmbedType());
        require(c.additionEmbedType() == null || "text_time".equals(c.additionEmbedType()), "addition_embed_type",
                c.additionEmbedType());
        require(c.encoderHidDim() == null && c.encoderHidDimType() == null, "encoder_hid_dim", "" + c.encoderHidDim());
        require(c.timeCondProjDim() == null, "time_cond_proj_dim", "" + c.timeCondProjDim());
        require(c.timeEmbeddingActFn() == null, "time_embedding_act_fn", c.timeEmbeddingActFn());
        require(c.timestepPostAct() == null, "timestep_post_act", c.timestepPostAct());
        require(!c.centerInputSample(), "center_input_sample", "true");
        require(!c.dualCrossAttention(), "dual_cross_attention", "true");
        require("default".equals(c.attentionType()), "attention_type", c.attentionType());
        require(c.crossAttentionNorm() == null, "cross_attention_norm", c.crossAttentionNorm());
        require(!c.resnetSkipTimeAct(), "resnet_skip_time_act", "true");
        require(c.resnetOutScaleFactor() == 1f, "resnet_out_scale_factor", "" + c.resnetOutScaleFactor());
        for (boolean b : c.onlyCrossAttention()) {
            require(!b, "only_cross_attention", "true");
        }
    }

    private static void require(boolean ok, String key, String value) {
        if (!ok) {
            throw new VegaException("trainable UNet: " + key + " = " + value + " is not supported (SD/SDXL/Vega/SSD-1B"
                    + " UNets with SiLU and text_time conditioning are)");
        }
    }

    /** Rejects a layer option the trainable {@code module} does not implement (diffusers' keyword {@code key}). */
    static void requireOption(boolean ok, String module, String key, Object value) {
        if (!ok) {
            throw new VegaException("trainable " + module + ": " + key + " = " + value + " is not supported");
        }
    }
}

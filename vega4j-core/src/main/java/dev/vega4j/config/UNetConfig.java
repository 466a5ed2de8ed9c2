package dev.vega4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code UNet2DConditionModel} {@code config.json}, resolved the way diffusers 0.26.3 resolves it in
 * {@code models/unets/unet_2d_condition.py}: every omitted key takes the constructor default, "int or one per block"
 * keys are expanded to one value per level, and the historical naming quirk is applied ({@code attention_head_dim}
 * is really the number of heads unless {@code num_attention_heads} is given, see diffusers issue 2011).
 *
 * <p>Transformer depths are stored per layer: {@link #transformerLayersDown()}{@code [level][layer]} (a level of
 * {@code DownBlock2D} keeps its unused values), {@link #transformerLayersMid()}{@code [layer]} and
 * {@link #transformerLayersUp()}{@code [upLevel][layer]} — the latter is {@code reverse_transformer_layers_per_block}
 * when given (SSD-1B style asymmetric UNets) and otherwise the mirrored down depths. Arrays are owned by the record;
 * do not modify them.
 */
public record UNetConfig(
        int sampleSize,
        int inChannels,
        int outChannels,
        boolean centerInputSample,
        boolean flipSinToCos,
        float freqShift,
        List<String> downBlockTypes,
        String midBlockType,
        List<String> upBlockTypes,
        boolean[] onlyCrossAttention,
        boolean midBlockOnlyCrossAttention,
        int[] blockOutChannels,
        int[] layersPerBlock,
        int downsamplePadding,
        float midBlockScaleFactor,
        String actFn,
        Integer normNumGroups,
        float normEps,
        int[] crossAttentionDim,
        int[][] transformerLayersDown,
        int[] transformerLayersMid,
        int[][] transformerLayersUp,
        int[] numAttentionHeads,
        boolean dualCrossAttention,
        boolean useLinearProjection,
        String classEmbedType,
        Integer numClassEmbeds,
        String additionEmbedType,
        Integer additionTimeEmbedDim,
        Integer projectionClassEmbeddingsInputDim,
        boolean upcastAttention,
        String resnetTimeScaleShift,
        boolean resnetSkipTimeAct,
        float resnetOutScaleFactor,
        String timeEmbeddingType,
        Integer timeEmbeddingDim,
        String timeEmbeddingActFn,
        String timestepPostAct,
        Integer timeCondProjDim,
        int convInKernel,
        int convOutKernel,
        String attentionType,
        boolean classEmbeddingsConcat,
        String crossAttentionNorm,
        Integer encoderHidDim,
        String encoderHidDimType) {

    /** Largest channel count, head count or embedding width a config may give (SDXL's widest is 2816). */
    static final int MAX_WIDTH = 1 << 16;
    /** Most resnets or transformer layers per block a config may give (SDXL's deepest is 10). */
    static final int MAX_DEPTH = 1024;
    /** Largest conv_in / conv_out kernel. */
    static final int MAX_KERNEL = 31;

    public UNetConfig {
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
    }

    /** Number of resolution levels (down blocks). */
    public int levels() {
        return downBlockTypes.size();
    }

    /** Width of the time embedding every resnet receives ({@code time_embedding_dim} or 4 x the first channels). */
    public int timeEmbedDim() {
        return timeEmbeddingDim != null ? timeEmbeddingDim : blockOutChannels[0] * 4;
    }

    /** Width of the sinusoidal timestep projection. */
    public int timestepInputDim() {
        return blockOutChannels[0];
    }

    /** Resnets in up block {@code i} (one more than the mirrored down level: the extra one eats the downsampled skip). */
    public int upLayers(int upLevel) {
        return layersPerBlock[levels() - 1 - upLevel] + 1;
    }

    /** Number of upsampling blocks; the latent must be divisible by 2^this or upsampling follows the skip sizes. */
    public int numUpsamplers() {
        return levels() - 1;
    }

    public static UNetConfig load(Path configJson) {
        return fromJson(ConfigReader.read(configJson, "UNet"), configJson.toString());
    }

    public static UNetConfig fromJson(JsonNode json, String source) {
        ConfigReader r = new ConfigReader(json, source);
        List<String> down = r.strings("down_block_types", List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                "CrossAttnDownBlock2D", "DownBlock2D"));
        List<String> up = r.strings("up_block_types", List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                "CrossAttnUpBlock2D"));
        int levels = down.size();
        if (up.size() != levels) {
            throw new VegaException(source + ": down_block_types has " + levels + " blocks but up_block_types has "
                    + up.size());
        }
        if (levels == 0) {
            throw new VegaException(source + ": down_block_types is empty (a UNet has at least one block)");
        }
        int[] boc = r.inRange("block_out_channels", r.ints("block_out_channels", new int[] {320, 640, 1280, 1280}), 1,
                MAX_WIDTH);
        if (boc.length != levels) {
            throw new VegaException(source + ": block_out_channels has " + boc.length + " values but the model has "
                    + levels + " blocks");
        }
        int[] layers = r.inRange("layers_per_block", r.intPerLevel("layers_per_block", 2, levels), 1, MAX_DEPTH);
        // diffusers: num_attention_heads = num_attention_heads or attention_head_dim (the misnamed key)
        int[] heads = r.node("num_attention_heads") != null
                ? r.inRange("num_attention_heads", r.intPerLevel("num_attention_heads", 8, levels), 1, MAX_WIDTH)
                : r.inRange("attention_head_dim", r.intPerLevel("attention_head_dim", 8, levels), 1, MAX_WIDTH);
        boolean onlyCrossGivenAsBool = r.node("only_cross_attention") == null || r.node("only_cross_attention").isBoolean();
        boolean[] onlyCross = r.boolPerLevel("only_cross_attention", false, levels);
        Boolean midOnlyCross = r.node("mid_block_only_cross_attention") == null ? null
                : r.bool("mid_block_only_cross_attention", false);
        boolean midOnly = midOnlyCross != null ? midOnlyCross : (onlyCrossGivenAsBool && onlyCross[0]);

        TransformerDepths depths = TransformerDepths.resolve(r, layers, levels);
        for (int[] d : depths.down()) {
            r.inRange("transformer_layers_per_block", d, 0, MAX_DEPTH);
        }
        for (int[] d : depths.up()) {
            r.inRange("reverse_transformer_layers_per_block", d, 0, MAX_DEPTH);
        }
        r.inRange("transformer_layers_per_block", depths.mid(), 0, MAX_DEPTH);
        return new UNetConfig(
                sampleSizeOf(r),
                r.inRange("in_channels", r.integer("in_channels", 4), 1, MAX_WIDTH),
                r.inRange("out_channels", r.integer("out_channels", 4), 1, MAX_WIDTH),
                r.bool("center_input_sample", false),
                r.bool("flip_sin_to_cos", true),
                r.number("freq_shift", 0),
                down,
                r.nullableString("mid_block_type", "UNetMidBlock2DCrossAttn"),
                up,
                onlyCross,
                midOnly,
                boc,
                layers,
                r.integer("downsample_padding", 1),
                r.number("mid_block_scale_factor", 1),
                r.string("act_fn", "silu"),
                r.has("norm_num_groups") ? r.inRange("norm_num_groups", r.optInteger("norm_num_groups"), 1, MAX_WIDTH)
                        : Integer.valueOf(32),
                r.number("norm_eps", 1e-5f),
                r.inRange("cross_attention_dim", r.intPerLevel("cross_attention_dim", 1280, levels), 1, MAX_WIDTH),
                depths.down(),
                depths.mid(),
                depths.up(),
                heads,
                r.bool("dual_cross_attention", false),
                r.bool("use_linear_projection", false),
                r.string("class_embed_type", null),
                r.inRange("num_class_embeds", r.optInteger("num_class_embeds"), 1, MAX_WIDTH),
                r.string("addition_embed_type", null),
                r.inRange("addition_time_embed_dim", r.optInteger("addition_time_embed_dim"), 1, MAX_WIDTH),
                r.inRange("projection_class_embeddings_input_dim",
                        r.optInteger("projection_class_embeddings_input_dim"), 1, MAX_WIDTH),
                r.bool("upcast_attention", false),
                r.string("resnet_time_scale_shift", "default"),
                r.bool("resnet_skip_time_act", false),
                r.number("resnet_out_scale_factor", 1.0f),
                r.string("time_embedding_type", "positional"),
                r.inRange("time_embedding_dim", r.optInteger("time_embedding_dim"), 1, MAX_WIDTH),
                r.string("time_embedding_act_fn", null),
                r.string("timestep_post_act", null),
                r.inRange("time_cond_proj_dim", r.optInteger("time_cond_proj_dim"), 1, MAX_WIDTH),
                r.inRange("conv_in_kernel", r.integer("conv_in_kernel", 3), 1, MAX_KERNEL),
                r.inRange("conv_out_kernel", r.integer("conv_out_kernel", 3), 1, MAX_KERNEL),
                r.string("attention_type", "default"),
                r.bool("class_embeddings_concat", false),
                r.string("cross_attention_norm", null),
                r.inRange("encoder_hid_dim", r.optInteger("encoder_hid_dim"), 1, MAX_WIDTH),
                r.string("encoder_hid_dim_type", null));
    }

    private static int sampleSizeOf(ConfigReader r) {
        JsonNode n = r.node("sample_size");
        if (n == null) {
            return 0;
        }
        if (n.isArray() && !n.isEmpty()) {
            return n.get(0).asInt();
        }
        return r.integer("sample_size", 0);
    }

    /** {@code transformer_layers_per_block} / {@code reverse_transformer_layers_per_block} resolved per layer. */
    private record TransformerDepths(int[][] down, int[] mid, int[][] up) {
        static TransformerDepths resolve(ConfigReader r, int[] layers, int levels) {
            String key = "transformer_layers_per_block";
            JsonNode n = r.node(key);
            int[][] down = new int[levels][];
            boolean asymmetric = false;
            if (n == null || n.isIntegralNumber()) {
                int v = n == null ? 1 : n.asInt();
                for (int i = 0; i < levels; i++) {
                    down[i] = ConfigReader.filled(v, layers[i]);
                }
            } else if (n.isArray() && n.size() == levels) {
                for (int i = 0; i < levels; i++) {
                    down[i] = perLayer(r, key, n.get(i), layers[i]);
                    asymmetric |= n.get(i).isArray();
                }
            } else {
                throw r.bad(key, "an integer or one value per block (" + levels + ")");
            }
            // mid block: diffusers passes transformer_layers_per_block[-1] to UNetMidBlock2DCrossAttn (num_layers 1),
            // which expands an int to one value per layer and otherwise reads the list's first entry
            int[] mid;
            if (n == null || n.isIntegralNumber()) {
                mid = new int[] {n == null ? 1 : n.asInt()};
            } else {
                JsonNode last = n.get(levels - 1);
                mid = new int[] {last.isArray() ? last.get(0).asInt() : last.asInt()};
            }

            String rkey = "reverse_transformer_layers_per_block";
            JsonNode rev = r.node(rkey);
            int[][] up = new int[levels][];
            if (rev == null) {
                if (asymmetric) {
                    throw new dev.vega4j.VegaException(r.source() + ": per-layer " + key + " needs " + rkey
                            + " (diffusers: 'Must provide reverse_transformer_layers_per_block if using asymmetrical"
                            + " UNet')");
                }
                for (int i = 0; i < levels; i++) {
                    int mirrored = levels - 1 - i;
                    int v = n == null ? 1 : n.isIntegralNumber() ? n.asInt() : n.get(mirrored).asInt();
                    up[i] = ConfigReader.filled(v, layers[mirrored] + 1);
                }
            } else {
                if (!rev.isArray() || rev.size() != levels) {
                    throw r.bad(rkey, "one value or list per up block (" + levels + ")");
                }
                for (int i = 0; i < levels; i++) {
                    up[i] = perLayer(r, rkey, rev.get(i), layers[levels - 1 - i] + 1);
                }
            }
            return new TransformerDepths(down, mid, up);
        }

        private static int[] perLayer(ConfigReader r, String key, JsonNode v, int count) {
            if (v.isIntegralNumber()) {
                return ConfigReader.filled(v.asInt(), count);
            }
            if (!v.isArray() || v.size() < count) {
                throw r.bad(key, "integers or lists with one depth per layer (" + count + ")");
            }
            int[] out = new int[count];
            for (int j = 0; j < count; j++) {
                out[j] = v.get(j).asInt();
            }
            return out;
        }
    }
}

package dev.vega4j.train.nn;

import dev.vega4j.VegaException;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.io.Weights;
import dev.vega4j.models.unet.BlockSpec;
import dev.vega4j.models.unet.UNetBlockSpecs;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A differentiable diffusers {@code UNet2DConditionModel} (v0.26.3 {@code models/unets/unet_2d_condition.py}) built
 * from the same {@link UNetConfig} and weight names as the inference model: SD 1.x / SDXL / SSD-1B / Segmind Vega
 * layouts (DownBlock2D, CrossAttnDownBlock2D, UNetMidBlock2D(CrossAttn), CrossAttnUpBlock2D, UpBlock2D, text_time).
 * Its parameters are fp32 master copies; {@link #stateDict()} gives them back under their diffusers keys.
 */
public final class TrainableUNet {
    private final UNetConfig config;
    private final Map<String, Var> params;
    private final Conv2d convIn;
    private final TimestepEmbedding timeEmbedding;
    private final TimestepEmbedding addEmbedding;
    private final List<DownBlock> down = new ArrayList<>();
    private final MidBlock mid;
    private final List<UpBlock> up = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private boolean gradientCheckpointing;

    private TrainableUNet(UNetConfig c, ParamScope p) {
        UNetSupport.check(c);
        this.config = c;
        int[] boc = c.blockOutChannels();
        int levels = c.levels(), temb = c.timeEmbedDim();
        this.convIn = Conv2d.same(p.sub("conv_in"), c.inChannels(), boc[0], c.convInKernel());
        this.timeEmbedding = new TimestepEmbedding(p.sub("time_embedding"), c.timestepInputDim(), temb);
        this.addEmbedding = "text_time".equals(c.additionEmbedType())
                ? new TimestepEmbedding(p.sub("add_embedding"), c.projectionClassEmbeddingsInputDim(), temb)
                : null;
        for (int i = 0; i < levels; i++) {
            BlockSpec s = UNetBlockSpecs.down(c, i);
            ParamScope bp = p.sub("down_blocks").sub(i);
            down.add(switch (c.downBlockTypes().get(i)) {
                case "DownBlock2D" -> DownBlock.downBlock2D(bp, s);
                case "CrossAttnDownBlock2D" -> DownBlock.crossAttnDownBlock2D(bp, s);
                default -> throw unsupported("down block type", c.downBlockTypes().get(i));
            });
        }
        ParamScope mp = p.sub("mid_block");
        this.mid = c.midBlockType() == null ? null : switch (c.midBlockType()) {
            case "UNetMidBlock2DCrossAttn" -> MidBlock.unetMidBlock2DCrossAttn(mp, UNetBlockSpecs.midCrossAttn(c));
            case "UNetMidBlock2D" -> MidBlock.unetMidBlock2D(mp, UNetBlockSpecs.mid(c));
            default -> throw unsupported("mid block type", c.midBlockType());
        };
        for (int i = 0; i < levels; i++) {
            BlockSpec s = UNetBlockSpecs.up(c, i);
            ParamScope bp = p.sub("up_blocks").sub(i);
            up.add(switch (c.upBlockTypes().get(i)) {
                case "UpBlock2D" -> UpBlock.upBlock2D(bp, s);
                case "CrossAttnUpBlock2D" -> UpBlock.crossAttnUpBlock2D(bp, s);
                default -> throw unsupported("up block type", c.upBlockTypes().get(i));
            });
        }
        this.convNormOut = new GroupNorm(p.sub("conv_norm_out"), c.normNumGroups(), boc[0], c.normEps());
        this.convOut = Conv2d.same(p.sub("conv_out"), boc[0], c.outChannels(), c.convOutKernel());
        this.params = Collections.unmodifiableMap(p.finish());
    }

    private static VegaException unsupported(String what, String type) {
        return new VegaException("trainable UNet: " + what + " " + type + " is not supported");
    }

    /** Builds the model with fp32 copies of {@code weights} (diffusers names, e.g. {@code conv_in.weight}). */
    public static TrainableUNet create(UNetConfig config, Weights weights) {
        return new TrainableUNet(config, ParamScope.from(weights));
    }

    public UNetConfig config() {
        return config;
    }

    /** Parameters by diffusers key, in build order (live: the optimizer updates these tensors). */
    public Map<String, Var> parameters() {
        return params;
    }

    /** A snapshot of the weights under diffusers keys (copies), ready for {@code SafetensorsWriter}. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        params.forEach((k, v) -> m.put(k, v.value().copy()));
        return m;
    }

    public long parameterCount() {
        return params.values().stream().mapToLong(Var::numel).sum();
    }

    /** Recompute each resnet's and transformer's forward in backward instead of keeping its activations. */
    public void setGradientCheckpointing(boolean on) {
        this.gradientCheckpointing = on;
    }

    /**
     * The UNet output for a batch.
     *
     * @param sample      latents [B, in, h, w]
     * @param timesteps   one per sample (or one for all)
     * @param context     encoder hidden states [B, T, cross_attention_dim]
     * @param textEmbeds  pooled text embeddings [B, P] (text_time), else null
     * @param timeIds     micro-conditioning [B, 6] (text_time), else null
     * @param hook        receives every block feature under the golden hook names
     */
    public Var forward(Var sample, float[] timesteps, Var context, Var textEmbeds, Var timeIds, FeatureHook hook) {
        hook = hook == null ? FeatureHook.NONE : hook;
        int batch = sample.dim(0);
        if (sample.value().rank() != 4 || sample.dim(1) != config.inChannels()) {
            throw new VegaException("UNet: sample must be [B, " + config.inChannels() + ", h, w], got "
                    + Arrays.toString(sample.shape()));
        }
        float[] ts = timesteps.length == batch ? timesteps : fill(timesteps[0], batch);
        int factor = 1 << config.numUpsamplers();
        boolean forwardUpsampleSize = sample.dim(2) % factor != 0 || sample.dim(3) % factor != 0;

        Var tEmb = F.timestepEmbedding(Var.constant(Tensor.of(ts, batch)), config.timestepInputDim(),
                config.flipSinToCos(), config.freqShift());
        Var emb = timeEmbedding.forward(tEmb);
        if (addEmbedding != null) {
            if (textEmbeds == null || timeIds == null) {
                throw new VegaException("UNet: this model (addition_embed_type 'text_time') needs text_embeds and"
                        + " time_ids");
            }
            Var timeEmbeds = F.timestepEmbedding(timeIds.reshape(-1), config.additionTimeEmbedDim(),
                    config.flipSinToCos(), config.freqShift());
            Var addEmbeds = F.concatLast(textEmbeds.reshape(batch, -1), timeEmbeds.reshape(batch, -1));
            emb = F.add(emb, addEmbedding.forward(addEmbeds));
        }
        hook.accept("emb", emb);
        Var h = convIn.forward(sample);
        hook.accept("conv_in", h);
        List<Var> skips = new ArrayList<>();
        skips.add(h);
        for (int i = 0; i < down.size(); i++) {
            DownBlock.Output o = down.get(i).forward(h, emb, context, hook.prefixed("down_blocks." + i + "."),
                    gradientCheckpointing);
            h = o.hiddenStates();
            hook.accept("down_blocks." + i + ".hidden_states", h);
            skips.addAll(o.resSamples());
        }
        if (mid != null) {
            h = mid.forward(h, emb, context, hook.prefixed("mid_block."), gradientCheckpointing);
            hook.accept("mid_block", h);
        }
        for (int i = 0; i < up.size(); i++) {
            UpBlock u = up.get(i);
            int n = u.resnetCount();
            List<Var> mine = new ArrayList<>(skips.subList(skips.size() - n, skips.size()));
            skips.subList(skips.size() - n, skips.size()).clear();
            boolean isFinal = i == up.size() - 1;
            int[] size = !isFinal && forwardUpsampleSize
                    ? new int[] {skips.getLast().dim(2), skips.getLast().dim(3)} : null;
            h = u.forward(h, mine, emb, context, size, hook.prefixed("up_blocks." + i + "."), gradientCheckpointing);
            hook.accept("up_blocks." + i, h);
        }
        h = convNormOut.forward(h);
        hook.accept("conv_norm_out", h);
        h = F.silu(h);
        hook.accept("conv_act", h);
        h = convOut.forward(h);
        hook.accept("conv_out", h);
        return h;
    }

    private static float[] fill(float v, int n) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}

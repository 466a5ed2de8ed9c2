package dev.vega4j.models.unet;

import dev.vega4j.VegaException;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.WeightFiles;
import dev.vega4j.io.Weights;
import dev.vega4j.models.layers.Activation;
import dev.vega4j.models.layers.Conv2d;
import dev.vega4j.models.layers.FeatureSink;
import dev.vega4j.models.layers.GroupNorm;
import dev.vega4j.models.layers.Linear;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.Spatial;
import dev.vega4j.models.layers.TimestepEmbedding;
import dev.vega4j.models.layers.Timesteps;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * diffusers {@code UNet2DConditionModel} (v0.26.3, {@code models/unets/unet_2d_condition.py}), one implementation
 * driven entirely by {@link UNetConfig}: SD 1.5 (conv projections), SDXL (linear projections, per-level transformer
 * depth, {@code text_time} added conditioning), SSD-1B (per-layer depths, reversed up depths) and Segmind Vega
 * ({@code UNetMidBlock2D} = one resnet).
 *
 * <p>Weights are found by their diffusers names; {@link #create} reports every missing name at once
 * ({@link dev.vega4j.io.MissingWeightsException}) and logs unused ones. {@link #forward} can hand intermediate
 * features to a {@link FeatureSink} under the golden cases' hook names.
 */
public final class UNet2DConditionModel {
    private final UNetConfig config;
    private final Conv2d convIn;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final Linear encoderHidProj;
    private final Timesteps addTimeProj;
    private final TimestepEmbedding addEmbedding;
    private final Activation timeEmbedAct;
    private final List<UNetDownBlock> downBlocks = new ArrayList<>();
    private final UNetMidBlock midBlock;
    private final List<UNetUpBlock> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Activation convAct;
    private final Conv2d convOut;
    private final Map<String, dev.vega4j.models.layers.AdaptableLayer> layers;

    /** SDXL's added conditioning: pooled text embeddings [B, P] and the 6 size/crop time ids [B, 6]. */
    public record AddedConditions(Tensor textEmbeds, Tensor timeIds) {}

    private UNet2DConditionModel(UNetConfig c, Params p) {
        this.config = c;
        checkSupported(c);
        String where = "UNet config";
        Activation act = Activation.of(c.actFn(), where);
        int[] boc = c.blockOutChannels();
        int levels = c.levels();
        int groups = c.normNumGroups();
        int temb = c.timeEmbedDim();

        this.convIn = Conv2d.same(p.sub("conv_in"), c.inChannels(), boc[0], c.convInKernel());
        this.timeProj = new Timesteps(c.timestepInputDim(), c.flipSinToCos(), c.freqShift());
        this.timeEmbedding = new TimestepEmbedding(p.sub("time_embedding"), c.timestepInputDim(), temb, act,
                c.timestepPostAct() == null ? null : Activation.of(c.timestepPostAct(), where),
                c.timeCondProjDim() == null ? 0 : c.timeCondProjDim());
        this.encoderHidProj = "text_proj".equals(c.encoderHidDimType()) || (c.encoderHidDimType() == null
                && c.encoderHidDim() != null)
                ? new Linear(p.sub("encoder_hid_proj"), c.encoderHidDim(), c.crossAttentionDim()[0], true)
                : null;
        if ("text_time".equals(c.additionEmbedType())) {
            if (c.additionTimeEmbedDim() == null || c.projectionClassEmbeddingsInputDim() == null) {
                throw new VegaException(where + ": addition_embed_type 'text_time' needs addition_time_embed_dim and"
                        + " projection_class_embeddings_input_dim");
            }
            this.addTimeProj = new Timesteps(c.additionTimeEmbedDim(), c.flipSinToCos(), c.freqShift());
            // diffusers builds add_embedding with TimestepEmbedding's default act_fn "silu"
            this.addEmbedding = new TimestepEmbedding(p.sub("add_embedding"), c.projectionClassEmbeddingsInputDim(),
                    temb, Activation.SILU, null, 0);
        } else {
            this.addTimeProj = null;
            this.addEmbedding = null;
        }
        this.timeEmbedAct = c.timeEmbeddingActFn() == null ? null : Activation.of(c.timeEmbeddingActFn(), where);

        for (int i = 0; i < levels; i++) {
            BlockSpec s = UNetBlockSpecs.down(c, i);
            Params bp = p.sub("down_blocks").sub(i);
            downBlocks.add(switch (c.downBlockTypes().get(i)) {
                case "DownBlock2D" -> new DownBlock2D(bp, s);
                case "CrossAttnDownBlock2D" -> new CrossAttnDownBlock2D(bp, s);
                default -> throw unsupported("down block type", c.downBlockTypes().get(i));
            });
        }

        Params mp = p.sub("mid_block");
        if (c.midBlockType() == null) {
            this.midBlock = null;
        } else {
            this.midBlock = switch (c.midBlockType()) {
                case "UNetMidBlock2DCrossAttn" -> new UNetMidBlock2DCrossAttn(mp, UNetBlockSpecs.midCrossAttn(c));
                // diffusers: UNetMidBlock2D(num_layers=0, add_attention=False) = a single ResnetBlock2D
                case "UNetMidBlock2D" -> new UNetMidBlock2D(mp, UNetBlockSpecs.mid(c));
                default -> throw unsupported("mid block type", c.midBlockType());
            };
        }

        for (int i = 0; i < levels; i++) {
            BlockSpec s = UNetBlockSpecs.up(c, i);
            Params bp = p.sub("up_blocks").sub(i);
            upBlocks.add(switch (c.upBlockTypes().get(i)) {
                case "UpBlock2D" -> new UpBlock2D(bp, s);
                case "CrossAttnUpBlock2D" -> new CrossAttnUpBlock2D(bp, s);
                default -> throw unsupported("up block type", c.upBlockTypes().get(i));
            });
        }

        this.convNormOut = new GroupNorm(p.sub("conv_norm_out"), groups, boc[0], c.normEps());
        this.convAct = act;
        this.convOut = Conv2d.same(p.sub("conv_out"), boc[0], c.outChannels(), c.convOutKernel());
        this.layers = p.layers();
    }

    /** Builds the model from weights under diffusers names (a view whose names start at {@code conv_in...}). */
    public static UNet2DConditionModel create(UNetConfig config, Weights weights) {
        Params p = Params.from(weights);
        UNet2DConditionModel m = new UNet2DConditionModel(config, p);
        p.finish();
        return m;
    }

    /**
     * Loads a diffusers {@code unet/} folder: {@code config.json} and {@code diffusion_pytorch_model.safetensors}
     * (or its shard index); a folder whose only weights are one variant ({@code fp16}) loads it widened to float32,
     * and says so on the log ({@link WeightFiles}).
     */
    public static UNet2DConditionModel load(Path dir) {
        UNetConfig config = UNetConfig.load(dir.resolve("config.json"));
        Path file = WeightFiles.resolveModel(dir, WeightFiles.Library.DIFFUSERS, "UNet2DConditionModel");
        try (SafetensorsWeights w = SafetensorsWeights.open(file)) {
            return create(config, w);
        }
    }

    /** Every parameter's diffusers name and shape, in build order, without allocating any weight. */
    public static Map<String, int[]> parameterShapes(UNetConfig config) {
        Params p = Params.shapesOnly();
        new UNet2DConditionModel(config, p);
        return p.shapes();
    }

    public UNetConfig config() {
        return config;
    }

    /** Every Linear/Conv2d under its diffusers module path ({@code down_blocks.1.attentions.0.proj_in}); for adapters. */
    public Map<String, dev.vega4j.models.layers.AdaptableLayer> adaptableLayers() {
        return layers;
    }

    public List<UNetDownBlock> downBlocks() {
        return List.copyOf(downBlocks);
    }

    public UNetMidBlock midBlock() {
        return midBlock;
    }

    public List<UNetUpBlock> upBlocks() {
        return List.copyOf(upBlocks);
    }

    /** Forward with one timestep for the whole batch and no feature recording. */
    public Tensor forward(Tensor sample, float timestep, Tensor encoderHiddenStates, AddedConditions added) {
        return forward(sample, new float[] {timestep}, encoderHiddenStates, added, FeatureSink.NONE);
    }

    /**
     * The noise prediction (or whatever the UNet was trained to predict) for {@code sample}.
     *
     * @param sample              latents [B, in_channels, h, w]; any h, w (sizes not divisible by 2^levels upsample
     *                            to the skip connection sizes, like diffusers' {@code forward_upsample_size})
     * @param timesteps           one value for the whole batch or one per sample; fractional values are fine
     * @param encoderHiddenStates text embeddings [B, T, cross_attention_dim]
     * @param added               SDXL's pooled text embeddings and time ids (required for {@code text_time}), else null
     * @param sink                receives features under the golden hook names; {@link FeatureSink#NONE} for none
     */
    public Tensor forward(Tensor sample, float[] timesteps, Tensor encoderHiddenStates, AddedConditions added,
            FeatureSink sink) {
        return forward(sample, timesteps, encoderHiddenStates, added, null, sink);
    }

    /** As above, with LCM's {@code timestep_cond} [B, time_cond_proj_dim] (or null). */
    public Tensor forward(Tensor sample, float[] timesteps, Tensor encoderHiddenStates, AddedConditions added,
            Tensor timestepCond, FeatureSink sink) {
        sink = FeatureSink.orNone(sink);
        TensorOps ops = Ops.get();
        int batch = checkInputs(sample, timesteps, encoderHiddenStates, added);

        // forward_upsample_size: the latent is not a multiple of the total upsampling factor
        int factor = 1 << config.numUpsamplers();
        boolean forwardUpsampleSize = sample.dim(2) % factor != 0 || sample.dim(3) % factor != 0;

        if (config.centerInputSample()) {
            sample = centered(sample);
        }

        // 1. time
        float[] ts = timesteps.length == batch ? timesteps : filled(timesteps[0], batch);
        Tensor tEmb = timeProj.forward(ts);
        sink.accept("time_proj", tEmb);
        Tensor emb = timeEmbedding.forward(tEmb, timestepCond);
        sink.accept("time_embedding", emb);
        if (addEmbedding != null) {
            Tensor timeIds = added.timeIds();
            Tensor timeEmbeds = addTimeProj.forward(timeIds.data().clone());
            sink.accept("add_time_proj", timeEmbeds);
            Tensor addEmbeds = Spatial.concatLast(added.textEmbeds().reshape(batch, -1),
                    timeEmbeds.reshape(batch, -1));
            sink.accept("add_embeds", addEmbeds);
            Tensor aug = addEmbedding.forward(addEmbeds);
            sink.accept("add_embedding", aug);
            emb = ops.add(emb, aug);
        }
        if (timeEmbedAct != null) {
            emb = timeEmbedAct.apply(emb);
        }
        sink.accept("emb", emb);
        Tensor context = encoderHidProj != null ? encoderHidProj.forward(encoderHiddenStates) : encoderHiddenStates;

        // 2. pre-process
        Tensor h = convIn.forward(sample);
        sink.accept("conv_in", h);

        // 3. down
        List<Tensor> resSamples = new ArrayList<>();
        resSamples.add(h);
        for (int i = 0; i < downBlocks.size(); i++) {
            String name = "down_blocks." + i;
            UNetDownBlock.Output o = downBlocks.get(i).forward(h, emb, context, sink.prefixed(name + "."));
            h = o.hiddenStates();
            sink.accept(name + ".hidden_states", h);
            for (int j = 0; j < o.resSamples().size(); j++) {
                sink.accept(name + ".res_samples." + j, o.resSamples().get(j));
            }
            resSamples.addAll(o.resSamples());
        }

        // 4. mid
        if (midBlock != null) {
            h = midBlock.forward(h, emb, context, sink.prefixed("mid_block."));
            sink.accept("mid_block", h);
        }

        // 5. up
        for (int i = 0; i < upBlocks.size(); i++) {
            UNetUpBlock up = upBlocks.get(i);
            int n = up.resnetCount();
            List<Tensor> mine = new ArrayList<>(resSamples.subList(resSamples.size() - n, resSamples.size()));
            resSamples.subList(resSamples.size() - n, resSamples.size()).clear();
            boolean isFinal = i == upBlocks.size() - 1;
            int[] upsampleSize = !isFinal && forwardUpsampleSize
                    ? new int[] {resSamples.getLast().dim(2), resSamples.getLast().dim(3)}
                    : null;
            h = up.forward(h, mine, emb, context, upsampleSize, sink.prefixed("up_blocks." + i + "."));
            sink.accept("up_blocks." + i, h);
        }

        // 6. post-process
        if (sink.enabled() || convAct != Activation.SILU) {
            h = convNormOut.forward(h);
            sink.accept("conv_norm_out", h);
            h = convAct.apply(h);
        } else {
            h = convNormOut.forwardSilu(h);
        }
        sink.accept("conv_act", h);
        h = convOut.forward(h);
        sink.accept("conv_out", h);
        return h;
    }

    private int checkInputs(Tensor sample, float[] timesteps, Tensor ehs, AddedConditions added) {
        if (sample.rank() != 4 || sample.dim(1) != config.inChannels()) {
            throw new VegaException("UNet: sample must be [B, " + config.inChannels() + ", h, w], got "
                    + Arrays.toString(sample.shape()));
        }
        int batch = sample.dim(0);
        if (timesteps.length != 1 && timesteps.length != batch) {
            throw new VegaException("UNet: " + timesteps.length + " timesteps for a batch of " + batch);
        }
        int crossDim = encoderHidProj != null ? config.encoderHidDim() : config.crossAttentionDim()[0];
        if (ehs == null || ehs.rank() != 3 || ehs.dim(0) != batch || ehs.dim(2) != crossDim) {
            throw new VegaException("UNet: encoder_hidden_states must be [" + batch + ", T, " + crossDim + "], got "
                    + (ehs == null ? "none" : Arrays.toString(ehs.shape())));
        }
        if (addEmbedding != null) {
            if (added == null || added.textEmbeds() == null || added.timeIds() == null) {
                throw new VegaException("UNet: this model (addition_embed_type 'text_time') needs text_embeds and"
                        + " time_ids");
            }
            int p = config.projectionClassEmbeddingsInputDim();
            long width = added.textEmbeds().numel() / batch
                    + (long) (added.timeIds().numel() / batch) * config.additionTimeEmbedDim();
            if (added.textEmbeds().dim(0) != batch || added.timeIds().dim(0) != batch || width != p) {
                throw new VegaException("UNet: text_embeds " + Arrays.toString(added.textEmbeds().shape())
                        + " and time_ids " + Arrays.toString(added.timeIds().shape()) + " do not give the "
                        + p + " features add_embedding expects for a batch of " + batch);
            }
        }
        return batch;
    }

    private static Tensor centered(Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        for (int i = 0; i < x.numel(); i++) {
            y.data()[i] = 2 * x.data()[i] - 1.0f;
        }
        return y;
    }

    private static float[] filled(float v, int n) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static void checkSupported(UNetConfig c) {
        if (c.normNumGroups() == null) {
            throw unsupported("norm_num_groups", "null");
        }
        if (!"positional".equals(c.timeEmbeddingType())) {
            throw unsupported("time_embedding_type", c.timeEmbeddingType());
        }
        if (!"default".equals(c.resnetTimeScaleShift())) {
            throw unsupported("resnet_time_scale_shift", c.resnetTimeScaleShift());
        }
        if (c.classEmbedType() != null || c.numClassEmbeds() != null) {
            throw unsupported("class embedding", String.valueOf(c.classEmbedType()));
        }
        if (c.additionEmbedType() != null && !"text_time".equals(c.additionEmbedType())) {
            throw unsupported("addition_embed_type", c.additionEmbedType());
        }
        if (c.encoderHidDimType() != null && !"text_proj".equals(c.encoderHidDimType())) {
            throw unsupported("encoder_hid_dim_type", c.encoderHidDimType());
        }
        if (c.dualCrossAttention()) {
            throw unsupported("dual_cross_attention", "true");
        }
        if (!"default".equals(c.attentionType())) {
            throw unsupported("attention_type", c.attentionType());
        }
        if (c.crossAttentionNorm() != null) {
            throw unsupported("cross_attention_norm", c.crossAttentionNorm());
        }
        if (c.classEmbeddingsConcat()) {
            throw unsupported("class_embeddings_concat", "true");
        }
        for (int i = 0; i < c.levels(); i++) {
            int heads = c.numAttentionHeads()[i];
            boolean attn = c.downBlockTypes().get(i).startsWith("CrossAttn")
                    || c.upBlockTypes().get(c.levels() - 1 - i).startsWith("CrossAttn");
            if (attn && (heads <= 0 || c.blockOutChannels()[i] % heads != 0)) {
                throw new VegaException("UNet config: " + c.blockOutChannels()[i] + " channels at level " + i
                        + " cannot be split into " + heads + " attention heads");
            }
        }
    }

    private static VegaException unsupported(String what, String value) {
        return new VegaException("UNet config: " + what + " '" + value + "' is not supported by vega4j (SD 1.x/2.x,"
                + " SDXL, SSD-1B and Segmind Vega UNets are)");
    }
}

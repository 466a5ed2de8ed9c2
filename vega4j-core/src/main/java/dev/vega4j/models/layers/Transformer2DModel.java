package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code Transformer2DModel} for continuous input ({@code models/transformers/transformer_2d.py}):
 * GroupNorm (eps 1e-6), {@code proj_in} (1x1 conv before flattening, or a Linear after it when
 * {@code use_linear_projection}), the {@link BasicTransformerBlock}s, {@code proj_out} mirrored, plus the input.
 */
public final class Transformer2DModel {
    private static final float NORM_EPS = 1e-6f;

    private final GroupNorm norm;
    private final boolean linearProjection;
    private final Linear projInLinear;
    private final Conv2d projInConv;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();
    private final Linear projOutLinear;
    private final Conv2d projOutConv;

    /**
     * The keyword arguments of diffusers' {@code Transformer2DModel.__init__} that vega4j supports. Build with
     * {@link #builder()}, which starts from diffusers' defaults; {@code in_channels} has none and must be set.
     *
     * @param numAttentionHeads   {@code num_attention_heads}, default 16
     * @param attentionHeadDim    {@code attention_head_dim}: width per head, default 88
     * @param inChannels          {@code in_channels} (required)
     * @param numLayers           {@code num_layers}: BasicTransformerBlocks, default 1
     * @param crossAttentionDim   {@code cross_attention_dim}, default None (0: attn2 attends to the input itself)
     * @param normNumGroups       {@code norm_num_groups} of the input GroupNorm, default 32
     * @param useLinearProjection {@code use_linear_projection}: proj_in/proj_out as Linear, not 1x1 conv, default false
     * @param onlyCrossAttention  {@code only_cross_attention}: attn1 attends to the context too, default false
     */
    public record Options(int numAttentionHeads, int attentionHeadDim, int inChannels, int numLayers,
            int crossAttentionDim, int normNumGroups, boolean useLinearProjection, boolean onlyCrossAttention) {
        /** A builder holding diffusers' defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** Named setters in diffusers' keyword names; unset ones keep diffusers' default. */
        public static final class Builder {
            private int numAttentionHeads = 16;
            private int attentionHeadDim = 88;
            private int inChannels;
            private int numLayers = 1;
            private int crossAttentionDim;
            private int normNumGroups = 32;
            private boolean useLinearProjection;
            private boolean onlyCrossAttention;

            private Builder() {}

            public Builder numAttentionHeads(int numAttentionHeads) {
                this.numAttentionHeads = numAttentionHeads;
                return this;
            }

            public Builder attentionHeadDim(int attentionHeadDim) {
                this.attentionHeadDim = attentionHeadDim;
                return this;
            }

            public Builder inChannels(int inChannels) {
                this.inChannels = inChannels;
                return this;
            }

            public Builder numLayers(int numLayers) {
                this.numLayers = numLayers;
                return this;
            }

            /** 0 for diffusers' None. */
            public Builder crossAttentionDim(int crossAttentionDim) {
                this.crossAttentionDim = crossAttentionDim;
                return this;
            }

            public Builder normNumGroups(int normNumGroups) {
                this.normNumGroups = normNumGroups;
                return this;
            }

            public Builder useLinearProjection(boolean useLinearProjection) {
                this.useLinearProjection = useLinearProjection;
                return this;
            }

            public Builder onlyCrossAttention(boolean onlyCrossAttention) {
                this.onlyCrossAttention = onlyCrossAttention;
                return this;
            }

            /** @throws IllegalStateException without {@code in_channels} */
            public Options build() {
                if (inChannels <= 0) {
                    throw new IllegalStateException("Transformer2DModel needs in_channels");
                }
                return new Options(numAttentionHeads, attentionHeadDim, inChannels, numLayers, crossAttentionDim,
                        normNumGroups, useLinearProjection, onlyCrossAttention);
            }
        }
    }

    /** {@code Transformer2DModel(**options)}; weights under {@code p}. */
    public Transformer2DModel(Params p, Options o) {
        int heads = o.numAttentionHeads(), dimHead = o.attentionHeadDim(), inChannels = o.inChannels();
        int inner = heads * dimHead;
        this.norm = new GroupNorm(p.sub("norm"), o.normNumGroups(), inChannels, NORM_EPS);
        this.linearProjection = o.useLinearProjection();
        if (linearProjection) {
            this.projInLinear = new Linear(p.sub("proj_in"), inChannels, inner, true);
            this.projInConv = null;
        } else {
            this.projInLinear = null;
            this.projInConv = new Conv2d(p.sub("proj_in"), inChannels, inner, 1, 1, 0, true);
        }
        for (int i = 0; i < o.numLayers(); i++) {
            blocks.add(new BasicTransformerBlock(p.sub("transformer_blocks").sub(i), inner, heads, dimHead,
                    o.crossAttentionDim(), o.onlyCrossAttention()));
        }
        if (linearProjection) {
            this.projOutLinear = new Linear(p.sub("proj_out"), inner, inChannels, true);
            this.projOutConv = null;
        } else {
            this.projOutLinear = null;
            this.projOutConv = new Conv2d(p.sub("proj_out"), inner, inChannels, 1, 1, 0, true);
        }
    }

    public List<BasicTransformerBlock> blocks() {
        return List.copyOf(blocks);
    }

    /** x [B, C, H, W], context [B, Tk, crossDim] → [B, C, H, W]. */
    public Tensor forward(Tensor x, Tensor context) {
        TensorOps ops = Ops.get();
        int h = x.dim(2), w = x.dim(3);
        Tensor t = norm.forward(x);
        t = linearProjection ? projInLinear.forward(ops.nchwToNlc(t)) : ops.nchwToNlc(projInConv.forward(t));
        for (BasicTransformerBlock b : blocks) {
            t = b.forward(t, context);
        }
        t = linearProjection ? ops.nlcToNchw(projOutLinear.forward(t), h, w) : projOutConv.forward(ops.nlcToNchw(t, h, w));
        return ops.addInPlace(t, x);
    }
}

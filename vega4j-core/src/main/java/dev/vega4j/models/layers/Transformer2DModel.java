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

    public Transformer2DModel(Params p, int heads, int dimHead, int inChannels, int numLayers, int crossAttentionDim,
            int normGroups, boolean useLinearProjection) {
        this(p, heads, dimHead, inChannels, numLayers, crossAttentionDim, normGroups, useLinearProjection, false);
    }

    public Transformer2DModel(Params p, int heads, int dimHead, int inChannels, int numLayers, int crossAttentionDim,
            int normGroups, boolean useLinearProjection, boolean onlyCrossAttention) {
        int inner = heads * dimHead;
        this.norm = new GroupNorm(p.sub("norm"), normGroups, inChannels, NORM_EPS);
        this.linearProjection = useLinearProjection;
        if (useLinearProjection) {
            this.projInLinear = new Linear(p.sub("proj_in"), inChannels, inner, true);
            this.projInConv = null;
        } else {
            this.projInLinear = null;
            this.projInConv = new Conv2d(p.sub("proj_in"), inChannels, inner, 1, 1, 0, true);
        }
        for (int i = 0; i < numLayers; i++) {
            blocks.add(new BasicTransformerBlock(p.sub("transformer_blocks").sub(i), inner, heads, dimHead,
                    crossAttentionDim, onlyCrossAttention));
        }
        if (useLinearProjection) {
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

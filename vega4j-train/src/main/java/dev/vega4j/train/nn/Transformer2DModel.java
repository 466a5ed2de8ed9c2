package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code Transformer2DModel} (continuous input): GroupNorm (eps 1e-6), {@code proj_in} (Linear after
 * flattening, or a 1x1 conv before it), the transformer blocks, {@code proj_out}, plus the input.
 */
public final class Transformer2DModel {
    private final GroupNorm norm;
    private final boolean linear;
    private final Linear projInLinear;
    private final Conv2d projInConv;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();
    private final Linear projOutLinear;
    private final Conv2d projOutConv;

    /**
     * {@code Transformer2DModel(**options)}, with the inference layer's options; {@code only_cross_attention} is not
     * implemented.
     */
    public Transformer2DModel(ParamScope p, dev.vega4j.models.layers.Transformer2DModel.Options o) {
        UNetSupport.requireOption(!o.onlyCrossAttention(), "Transformer2DModel", "only_cross_attention", true);
        int heads = o.numAttentionHeads(), dimHead = o.attentionHeadDim(), channels = o.inChannels();
        int inner = heads * dimHead;
        this.norm = new GroupNorm(p.sub("norm"), o.normNumGroups(), channels, 1e-6f);
        this.linear = o.useLinearProjection();
        this.projInLinear = linear ? new Linear(p.sub("proj_in"), channels, inner, true) : null;
        this.projInConv = linear ? null : new Conv2d(p.sub("proj_in"), channels, inner, 1, 1, 0);
        for (int i = 0; i < o.numLayers(); i++) {
            blocks.add(new BasicTransformerBlock(p.sub("transformer_blocks").sub(i), inner, heads, dimHead,
                    o.crossAttentionDim()));
        }
        this.projOutLinear = linear ? new Linear(p.sub("proj_out"), inner, channels, true) : null;
        this.projOutConv = linear ? null : new Conv2d(p.sub("proj_out"), inner, channels, 1, 1, 0);
    }

    public Var forward(Var x, Var context) {
        int h = x.dim(2), w = x.dim(3);
        Var t = norm.forward(x);
        t = linear ? projInLinear.forward(F.nchwToNlc(t)) : F.nchwToNlc(projInConv.forward(t));
        for (BasicTransformerBlock b : blocks) {
            t = b.forward(t, context);
        }
        t = linear ? F.nlcToNchw(projOutLinear.forward(t), h, w) : projOutConv.forward(F.nlcToNchw(t, h, w));
        return F.add(t, x);
    }
}

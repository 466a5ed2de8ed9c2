package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/** diffusers {@code BasicTransformerBlock} (layer_norm, pre-norm): self-attn, cross-attn, GEGLU FF, residuals. */
public final class BasicTransformerBlock {
    private static final float EPS = 1e-5f;
    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;

    public BasicTransformerBlock(ParamScope p, int dim, int heads, int dimHead, int crossAttentionDim) {
        this.norm1 = new LayerNorm(p.sub("norm1"), dim, EPS);
        this.attn1 = new Attention(p.sub("attn1"), dim, 0, heads, dimHead);
        this.norm2 = new LayerNorm(p.sub("norm2"), dim, EPS);
        this.attn2 = new Attention(p.sub("attn2"), dim, crossAttentionDim, heads, dimHead);
        this.norm3 = new LayerNorm(p.sub("norm3"), dim, EPS);
        this.ff = new FeedForward(p.sub("ff"), dim);
    }

    public Var forward(Var x, Var context) {
        Var h = F.add(attn1.forward(norm1.forward(x), null), x);
        h = F.add(attn2.forward(norm2.forward(h), context), h);
        return F.add(ff.forward(norm3.forward(h)), h);
    }
}

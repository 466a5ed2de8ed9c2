package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;

/**
 * diffusers {@code BasicTransformerBlock} with {@code norm_type="layer_norm"} ({@code models/attention.py}):
 * self-attention, cross-attention to the text, GEGLU feed-forward, each pre-LayerNorm (eps 1e-5) with a residual.
 */
public final class BasicTransformerBlock {
    private static final float NORM_EPS = 1e-5f;

    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;
    private final boolean onlyCrossAttention;

    public BasicTransformerBlock(Params p, int dim, int heads, int dimHead, int crossAttentionDim) {
        this(p, dim, heads, dimHead, crossAttentionDim, false);
    }

    /** @param onlyCrossAttention attn1 attends to the context too (diffusers {@code only_cross_attention}) */
    public BasicTransformerBlock(Params p, int dim, int heads, int dimHead, int crossAttentionDim,
            boolean onlyCrossAttention) {
        this.onlyCrossAttention = onlyCrossAttention;
        this.norm1 = new LayerNorm(p.sub("norm1"), dim, NORM_EPS);
        this.attn1 = Attention.transformer(p.sub("attn1"), dim, onlyCrossAttention ? crossAttentionDim : 0, heads,
                dimHead);
        this.norm2 = new LayerNorm(p.sub("norm2"), dim, NORM_EPS);
        this.attn2 = Attention.transformer(p.sub("attn2"), dim, crossAttentionDim, heads, dimHead);
        this.norm3 = new LayerNorm(p.sub("norm3"), dim, NORM_EPS);
        this.ff = new FeedForward(p.sub("ff"), dim, 4);
    }

    /** The cross-attention, for callers that cache its keys/values per prompt. */
    public Attention crossAttention() {
        return attn2;
    }

    /** x [B, T, dim], context [B, Tk, crossDim]. */
    public Tensor forward(Tensor x, Tensor context) {
        if (onlyCrossAttention) {
            TensorOps ops = Ops.get();
            Tensor h = ops.addInPlace(attn1.forward(norm1.forward(x), context), x);
            return finish(ops, h, CrossAttentionCache.keyValue(attn2, context));
        }
        return forward(x, CrossAttentionCache.keyValue(attn2, context));
    }

    /** Same, with the cross-attention keys/values already projected ({@link Attention#keyValue}). */
    public Tensor forward(Tensor x, Attention.KeyValue contextKv) {
        if (onlyCrossAttention) {
            throw new IllegalStateException("only_cross_attention blocks need the context itself for attn1");
        }
        TensorOps ops = Ops.get();
        // the attention output is a fresh tensor of this block's: the residual goes into it (attn + x, the same
        // operands in the same order as add), no [B, T, dim] allocation and zeroing pass
        Tensor h = ops.addInPlace(attn1.forward(norm1.forward(x), (Tensor) null), x);
        return finish(ops, h, contextKv);
    }

    private Tensor finish(TensorOps ops, Tensor h, Attention.KeyValue contextKv) {
        h = ops.addInPlace(attn2.forward(norm2.forward(h), contextKv), h);
        return ops.addInPlace(ff.forward(norm3.forward(h)), h);
    }
}

package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/**
 * diffusers {@code Attention} as a {@code BasicTransformerBlock} uses it (classic {@code AttnProcessor}): bias-free
 * {@code to_q/to_k/to_v}, {@code softmax(q kᵀ · dim_head^-0.5) v} per head, {@code to_out.0} with bias.
 */
public final class Attention {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final float scale;

    /** @param crossAttentionDim width of the context, 0 for self-attention */
    public Attention(ParamScope p, int queryDim, int crossAttentionDim, int heads, int dimHead) {
        int inner = heads * dimHead;
        int kv = crossAttentionDim > 0 ? crossAttentionDim : queryDim;
        this.toQ = new Linear(p.sub("to_q"), queryDim, inner, false);
        this.toK = new Linear(p.sub("to_k"), kv, inner, false);
        this.toV = new Linear(p.sub("to_v"), kv, inner, false);
        this.toOut = new Linear(p.sub("to_out").sub(0), inner, queryDim, true);
        this.heads = heads;
        this.scale = (float) (1.0 / Math.sqrt(dimHead));
    }

    /** x [B, T, queryDim]; context [B, Tk, crossDim] or null for self-attention. */
    public Var forward(Var x, Var context) {
        Var c = context == null ? x : context;
        return toOut.forward(F.attention(toQ.forward(x), toK.forward(c), toV.forward(c), heads, scale));
    }
}

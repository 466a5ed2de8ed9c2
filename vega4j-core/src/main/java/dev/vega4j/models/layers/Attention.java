package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;

/**
 * diffusers {@code Attention} run through the classic {@code AttnProcessor} ({@code models/attention_processor.py}):
 * {@code to_out.0(softmax(q kᵀ · dim_head^-0.5) v)} per head, with optional input {@code group_norm}, residual
 * connection and output rescale (the VAE's mid-block attention).
 *
 * <p>Keys and values depend only on the context, so a caller that runs the same text conditioning many times can
 * compute them once with {@link #keyValue} and pass them to {@link #forward(Tensor, KeyValue)} (cross-attention K/V
 * caching); {@link #forward(Tensor, Tensor)} does both steps.
 */
public final class Attention {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final GroupNorm groupNorm;
    private final int heads;
    private final float scale;
    private final boolean residualConnection;
    private final float rescaleOutputFactor;

    /** Projected keys and values [B, Tk, heads·dim_head] of one context. */
    public record KeyValue(Tensor key, Tensor value) {}

    /**
     * @param crossAttentionDim width of the context, or 0 for self-attention
     * @param bias              whether to_q/to_k/to_v have a bias (transformer blocks: no; VAE: yes)
     * @param normGroups        groups of the input {@code group_norm}, or 0 for none
     */
    public Attention(Params p, int queryDim, int crossAttentionDim, int heads, int dimHead, boolean bias,
            int normGroups, float normEps, boolean residualConnection, float rescaleOutputFactor) {
        int inner = heads * dimHead;
        int kvDim = crossAttentionDim > 0 ? crossAttentionDim : queryDim;
        this.groupNorm = normGroups > 0 ? new GroupNorm(p.sub("group_norm"), normGroups, queryDim, normEps) : null;
        this.toQ = new Linear(p.sub("to_q"), queryDim, inner, bias);
        this.toK = new Linear(p.sub("to_k"), kvDim, inner, bias);
        this.toV = new Linear(p.sub("to_v"), kvDim, inner, bias);
        this.toOut = new Linear(p.sub("to_out").sub(0), inner, queryDim, true);
        this.heads = heads;
        this.scale = (float) (1.0 / Math.sqrt(dimHead)); // diffusers: dim_head ** -0.5
        this.residualConnection = residualConnection;
        this.rescaleOutputFactor = rescaleOutputFactor;
    }

    /** The attention a {@code BasicTransformerBlock} uses: no q/k/v bias, no norm, no residual. */
    public static Attention transformer(Params p, int queryDim, int crossAttentionDim, int heads, int dimHead) {
        return new Attention(p, queryDim, crossAttentionDim, heads, dimHead, false, 0, 0f, false, 1f);
    }

    public KeyValue keyValue(Tensor context) {
        return new KeyValue(toK.forward(context), toV.forward(context));
    }

    /** x [B, T, queryDim]; context [B, Tk, crossDim] or null for self-attention. */
    public Tensor forward(Tensor x, Tensor context) {
        return forward(x, keyValue(context == null ? x : context));
    }

    public Tensor forward(Tensor x, KeyValue kv) {
        if (groupNorm != null) {
            throw new IllegalStateException("this attention normalises a spatial input: use forwardSpatial");
        }
        return project(x, kv);
    }

    private Tensor project(Tensor x, KeyValue kv) {
        Tensor q = toQ.forward(x);
        Tensor a = Ops.get().attention(q, kv.key(), kv.value(), heads, scale, false);
        return toOut.forward(a);
    }

    /**
     * Self-attention over the pixels of an NCHW map, the VAE way: {@code group_norm} over channels, attention on
     * [B, H·W, C], back to NCHW, {@code + x} when residual, then {@code / rescale_output_factor}.
     */
    public Tensor forwardSpatial(Tensor x) {
        TensorOps ops = Ops.get();
        int h = x.dim(2), w = x.dim(3);
        Tensor normed = groupNorm != null ? groupNorm.forward(x) : x;
        Tensor seq = ops.nchwToNlc(normed);
        Tensor out = ops.nlcToNchw(project(seq, keyValue(seq)), h, w);
        if (residualConnection) {
            out = ops.addInPlace(out, x);
        }
        return rescaleOutputFactor == 1f ? out : ops.scale(out, 1f / rescaleOutputFactor);
    }
}

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
     * The keyword arguments of diffusers' {@code Attention.__init__} that vega4j supports, besides {@code query_dim}.
     * Build with {@link #builder()}, which starts from diffusers' defaults.
     *
     * @param crossAttentionDim    {@code cross_attention_dim}: width of the context, default None (0: self-attention)
     * @param heads                {@code heads}, default 8
     * @param dimHead              {@code dim_head}, default 64
     * @param bias                 {@code bias} of to_q/to_k/to_v, default false (the VAE's attention has one)
     * @param normNumGroups        {@code norm_num_groups} of the input {@code group_norm}, default None (0: none)
     * @param eps                  {@code eps} of that group norm, default 1e-5
     * @param residualConnection   {@code residual_connection}: add the input back, default false
     * @param rescaleOutputFactor  {@code rescale_output_factor}, the output divisor, default 1.0
     */
    public record Options(int crossAttentionDim, int heads, int dimHead, boolean bias, int normNumGroups, float eps,
            boolean residualConnection, float rescaleOutputFactor) {
        /** A builder holding diffusers' defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** Named setters in diffusers' keyword names; unset ones keep diffusers' default. */
        public static final class Builder {
            private int crossAttentionDim;
            private int heads = 8;
            private int dimHead = 64;
            private boolean bias;
            private int normNumGroups;
            private float eps = 1e-5f;
            private boolean residualConnection;
            private float rescaleOutputFactor = 1f;

            private Builder() {}

            /** 0 for diffusers' None (self-attention). */
            public Builder crossAttentionDim(int crossAttentionDim) {
                this.crossAttentionDim = crossAttentionDim;
                return this;
            }

            public Builder heads(int heads) {
                this.heads = heads;
                return this;
            }

            public Builder dimHead(int dimHead) {
                this.dimHead = dimHead;
                return this;
            }

            public Builder bias(boolean bias) {
                this.bias = bias;
                return this;
            }

            /** 0 for diffusers' None (no input group norm). */
            public Builder normNumGroups(int normNumGroups) {
                this.normNumGroups = normNumGroups;
                return this;
            }

            public Builder eps(float eps) {
                this.eps = eps;
                return this;
            }

            public Builder residualConnection(boolean residualConnection) {
                this.residualConnection = residualConnection;
                return this;
            }

            public Builder rescaleOutputFactor(float rescaleOutputFactor) {
                this.rescaleOutputFactor = rescaleOutputFactor;
                return this;
            }

            public Options build() {
                return new Options(crossAttentionDim, heads, dimHead, bias, normNumGroups, eps, residualConnection,
                        rescaleOutputFactor);
            }
        }
    }

    /** {@code Attention(query_dim=queryDim, **options)}; weights under {@code p}. */
    public Attention(Params p, int queryDim, Options o) {
        int inner = o.heads() * o.dimHead();
        int kvDim = o.crossAttentionDim() > 0 ? o.crossAttentionDim() : queryDim;
        this.groupNorm = o.normNumGroups() > 0
                ? new GroupNorm(p.sub("group_norm"), o.normNumGroups(), queryDim, o.eps())
                : null;
        this.toQ = new Linear(p.sub("to_q"), queryDim, inner, o.bias());
        this.toK = new Linear(p.sub("to_k"), kvDim, inner, o.bias());
        this.toV = new Linear(p.sub("to_v"), kvDim, inner, o.bias());
        this.toOut = new Linear(p.sub("to_out").sub(0), inner, queryDim, true);
        this.heads = o.heads();
        this.scale = (float) (1.0 / Math.sqrt(o.dimHead())); // diffusers: dim_head ** -0.5
        this.residualConnection = o.residualConnection();
        this.rescaleOutputFactor = o.rescaleOutputFactor();
    }

    /** The attention a {@code BasicTransformerBlock} uses: no q/k/v bias, no norm, no residual (the defaults). */
    public static Attention transformer(Params p, int queryDim, int crossAttentionDim, int heads, int dimHead) {
        return new Attention(p, queryDim, Options.builder().crossAttentionDim(crossAttentionDim).heads(heads)
                .dimHead(dimHead).build());
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

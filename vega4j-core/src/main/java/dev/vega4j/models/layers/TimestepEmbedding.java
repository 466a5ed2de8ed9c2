package dev.vega4j.models.layers;

import dev.vega4j.tensor.Tensor;

/**
 * diffusers {@code TimestepEmbedding} ({@code models/embeddings.py}): {@code linear_2(act(linear_1(x + cond_proj(c))))}
 * with an optional activation after {@code linear_2}. Also used as the SDXL {@code add_embedding}.
 */
public final class TimestepEmbedding {
    private final Linear linear1;
    private final Linear linear2;
    private final Linear condProj;
    private final Activation act;
    private final Activation postAct;

    /**
     * @param condProjDim width of the optional condition (LCM's guidance embedding), 0 for none
     * @param postAct     activation after linear_2, or null
     */
    public TimestepEmbedding(Params p, int in, int timeEmbedDim, Activation act, Activation postAct, int condProjDim) {
        this.condProj = condProjDim > 0 ? new Linear(p.sub("cond_proj"), condProjDim, in, false) : null;
        this.linear1 = new Linear(p.sub("linear_1"), in, timeEmbedDim, true);
        this.linear2 = new Linear(p.sub("linear_2"), timeEmbedDim, timeEmbedDim, true);
        this.act = act;
        this.postAct = postAct;
    }

    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** @param condition [N, condProjDim] added (projected) to the input, or null */
    public Tensor forward(Tensor x, Tensor condition) {
        Tensor in = x;
        if (condProj != null && condition != null) {
            in = dev.vega4j.tensor.Ops.get().add(x, condProj.forward(condition));
        }
        Tensor h = linear2.forward(act.apply(linear1.forward(in)));
        return postAct == null ? h : postAct.apply(h);
    }
}

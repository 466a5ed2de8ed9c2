package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/** diffusers {@code TimestepEmbedding}: {@code linear_2(silu(linear_1(x)))} (also SDXL's {@code add_embedding}). */
public final class TimestepEmbedding {
    private final Linear linear1;
    private final Linear linear2;

    public TimestepEmbedding(ParamScope p, int in, int dim) {
        this.linear1 = new Linear(p.sub("linear_1"), in, dim, true);
        this.linear2 = new Linear(p.sub("linear_2"), dim, dim, true);
    }

    public Var forward(Var x) {
        return linear2.forward(F.silu(linear1.forward(x)));
    }
}

package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/** diffusers {@code FeedForward} with GEGLU: {@code net.2(geglu(net.0.proj(x)))}, inner = 4 · dim. */
public final class FeedForward {
    private final Linear proj;
    private final Linear out;

    public FeedForward(ParamScope p, int dim) {
        int inner = dim * 4;
        this.proj = new Linear(p.sub("net").sub(0).sub("proj"), dim, inner * 2, true);
        this.out = new Linear(p.sub("net").sub(2), inner, dim, true);
    }

    public Var forward(Var x) {
        return out.forward(F.geglu(proj.forward(x)));
    }
}

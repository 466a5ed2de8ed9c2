package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/**
 * diffusers {@code FeedForward} with {@code activation_fn="geglu"} ({@code models/attention.py}): {@code net.0} is
 * GEGLU's projection to 2 x inner (value half, gate half), {@code net.2} projects back; dropouts are identities.
 */
public final class FeedForward {
    private final Linear proj;
    private final Linear out;

    public FeedForward(Params p, int dim, int mult) {
        int inner = dim * mult;
        this.proj = new Linear(p.sub("net").sub(0).sub("proj"), dim, inner * 2, true);
        this.out = new Linear(p.sub("net").sub(2), inner, dim, true);
    }

    public Tensor forward(Tensor x) {
        return out.forward(Ops.get().geglu(proj.forward(x)));
    }
}

package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** {@code torch.nn.Conv2d} with a square kernel, stride and symmetric zero padding: {@code weight [out, in, k, k]}. */
public final class Conv2d implements AdaptableLayer {
    private volatile Tensor weight; // replaced by setWeight (a mapped weight fused with an adapter)
    private final Tensor bias;
    private final int stride;
    private final int padding;
    private final int kernel;
    private final LayerDeltas deltas = new LayerDeltas();

    public Conv2d(Params p, int in, int out, int kernel, int stride, int padding, boolean bias) {
        this.weight = p.getWeight("weight", out, in, kernel, kernel);
        this.bias = bias ? p.get("bias", out) : null;
        this.stride = stride;
        this.padding = padding;
        this.kernel = kernel;
        p.register(this);
    }

    /** A stride-1 convolution that keeps the spatial size ({@code padding = (k - 1) / 2}). */
    public static Conv2d same(Params p, int in, int out, int kernel) {
        return new Conv2d(p, in, out, kernel, 1, (kernel - 1) / 2, true);
    }

    public Tensor forward(Tensor x) {
        Tensor y = Ops.get().conv2d(x, weight, bias, stride, padding);
        return deltas.isEmpty() ? y : deltas.apply(x, y);
    }

    @Override
    public Tensor weight() {
        return weight;
    }

    @Override
    public void setWeight(Tensor w) {
        if (!w.sameShape(weight)) {
            throw new IllegalArgumentException("setWeight: " + w + " for a weight " + weight);
        }
        this.weight = w;
    }

    @Override
    public Tensor bias() {
        return bias;
    }

    @Override
    public LayerDeltas deltas() {
        return deltas;
    }

    @Override
    public ConvGeometry conv() {
        return new ConvGeometry(kernel, stride, padding);
    }
}

package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link LayerDelta}s attached to one layer, added to its output in attachment order. Empty for a plain model, so
 * layers without adapters run exactly as before (the output tensor is returned untouched).
 */
public final class LayerDeltas {
    private final List<LayerDelta> deltas = new CopyOnWriteArrayList<>();

    public void add(LayerDelta d) {
        deltas.add(d);
    }

    public boolean remove(LayerDelta d) {
        return deltas.remove(d);
    }

    public boolean isEmpty() {
        return deltas.isEmpty();
    }

    public int size() {
        return deltas.size();
    }

    /** {@code y + d1(x) + d2(x) + ...}, left to right, in place on {@code y} (a fresh layer output). */
    public Tensor apply(Tensor x, Tensor y) {
        for (LayerDelta d : deltas) {
            y = Ops.get().addInPlace(y, d.compute(x, y));
        }
        return y;
    }
}

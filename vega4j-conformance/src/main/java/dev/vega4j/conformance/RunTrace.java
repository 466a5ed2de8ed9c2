package dev.vega4j.conformance;

import dev.vega4j.pipeline.Trace;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link Trace} that keeps everything: single values by key, per-UNet-call values as lists. */
final class RunTrace implements Trace {
    private final Map<String, List<Tensor>> values = new LinkedHashMap<>();

    @Override
    public void record(String key, Tensor value) {
        values.computeIfAbsent(key, k -> new ArrayList<>()).add(value.copy());
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** The last value recorded under {@code key}, or null. */
    Tensor get(String key) {
        List<Tensor> l = values.get(key);
        return l == null ? null : l.get(l.size() - 1);
    }

    /** Every value recorded under {@code key}, stacked along a new leading dimension. */
    Tensor stacked(String key) {
        List<Tensor> l = values.get(key);
        if (l == null) {
            return null;
        }
        int[] s = l.get(0).shape();
        int[] shape = new int[s.length + 1];
        shape[0] = l.size();
        System.arraycopy(s, 0, shape, 1, s.length);
        Tensor out = Tensor.zeros(shape);
        int off = 0;
        for (Tensor t : l) {
            System.arraycopy(t.data(), 0, out.data(), off, t.numel());
            off += t.numel();
        }
        return out;
    }
}

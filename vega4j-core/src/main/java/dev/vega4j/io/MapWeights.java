package dev.vega4j.io;

import dev.vega4j.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Weights held in memory (random initialisation, tests, converted checkpoints). */
public final class MapWeights extends IndexedWeights<Tensor> {

    public MapWeights(Map<String, Tensor> tensors, String source) {
        this("", Collections.unmodifiableMap(new LinkedHashMap<>(tensors)), ConcurrentHashMap.newKeySet(), source);
    }

    private MapWeights(String prefix, Map<String, Tensor> tensors, Set<String> accessed, String source) {
        super(prefix, tensors, accessed, source);
    }

    @Override
    protected Tensor read(String fullName, Tensor tensor, boolean keepMapped) {
        return tensor;
    }

    @Override
    protected Weights view(String newPrefix) {
        return new MapWeights(newPrefix, index, accessed, source());
    }

    @Override
    protected int[] shapeOf(String fullName) {
        return index.get(fullName).shape();
    }

    public Map<String, Tensor> asMap() {
        return index;
    }
}

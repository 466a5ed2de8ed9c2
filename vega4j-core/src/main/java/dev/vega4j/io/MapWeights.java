package dev.vega4j.io;

import dev.vega4j.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Weights held in memory (random initialisation, tests, converted checkpoints). */
public final class MapWeights extends Weights {
    private final Map<String, Tensor> tensors;
    private final Set<String> accessed;
    private final String source;

    public MapWeights(Map<String, Tensor> tensors, String source) {
        this("", Collections.unmodifiableMap(new LinkedHashMap<>(tensors)), ConcurrentHashMap.newKeySet(), source);
    }

    private MapWeights(String prefix, Map<String, Tensor> tensors, Set<String> accessed, String source) {
        super(prefix);
        this.tensors = tensors;
        this.accessed = accessed;
        this.source = source;
    }

    @Override
    protected Tensor load(String fullName) {
        accessed.add(fullName);
        return tensors.get(fullName);
    }

    @Override
    protected boolean exists(String fullName) {
        return tensors.containsKey(fullName);
    }

    @Override
    protected Weights view(String newPrefix) {
        return new MapWeights(newPrefix, tensors, accessed, source);
    }

    @Override
    public Set<String> allNames() {
        return tensors.keySet();
    }

    @Override
    public Set<String> accessedNames() {
        return Collections.unmodifiableSet(accessed);
    }

    @Override
    public String source() {
        return source;
    }

    public Map<String, Tensor> asMap() {
        return tensors;
    }
}

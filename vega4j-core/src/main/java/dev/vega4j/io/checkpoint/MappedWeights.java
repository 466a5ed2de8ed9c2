package dev.vega4j.io.checkpoint;

import dev.vega4j.io.IndexedWeights;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One component of a single-file checkpoint under its diffusers names: {@code load("down_blocks.0.resnets.0.norm1.weight")}
 * reads {@code model.diffusion_model.input_blocks.1.0.in_layers.0.weight} and applies the mapping's {@link Transform}.
 * Tensors are read when asked for, so opening a checkpoint costs only its header.
 */
final class MappedWeights extends IndexedWeights<Mapped> {
    private final Weights singleFile;

    private MappedWeights(String prefix, Weights singleFile, Map<String, Mapped> index, Set<String> accessed,
            String description) {
        super(prefix, index, accessed, description);
        this.singleFile = singleFile;
    }

    /**
     * Indexes every single-file tensor under {@code singleFilePrefix}; names the mapping has no diffusers name for are
     * added to {@code unmapped}.
     */
    static MappedWeights build(Weights source, String singleFilePrefix, NameMapping mapping, String component,
            Set<String> unmapped) {
        Map<String, Mapped> index = new LinkedHashMap<>();
        for (String full : source.allNames()) {
            if (!full.startsWith(singleFilePrefix)) {
                continue;
            }
            var targets = mapping.toDiffusers(full.substring(singleFilePrefix.length()));
            if (targets.isEmpty()) {
                unmapped.add(full);
            }
            for (Mapped t : targets) {
                Mapped prev = index.put(t.name(), new Mapped(full, t.transform()));
                if (prev != null) {
                    throw new dev.vega4j.VegaException(source.source() + ": both '" + prev.name() + "' and '" + full
                            + "' map to " + component + " weight '" + t.name() + "'");
                }
            }
        }
        return new MappedWeights("", source, Collections.unmodifiableMap(index), ConcurrentHashMap.newKeySet(),
                source.source() + " [" + component + "]");
    }

    /** The single-file tensor (and transform) behind a diffusers name, or null. */
    Mapped origin(String diffusersName) {
        return index.get(diffusersName);
    }

    @Override
    protected Tensor read(String fullName, Mapped m, boolean keepMapped) {
        // transforms that only rename or reshape can pass a mapped weight through; the others copy floats
        boolean passThrough = m.transform() == Transform.IDENTITY || m.transform() == Transform.CONV1X1_TO_LINEAR;
        Tensor t = keepMapped && passThrough ? singleFile.getWeightOptional(m.name())
                : singleFile.get(m.name());
        return m.transform().toDiffusers(t, m.name());
    }

    @Override
    protected int[] shapeOf(String fullName) {
        Mapped m = index.get(fullName);
        return m.transform().diffusersShape(singleFile.shape(m.name()), m.name());
    }

    @Override
    protected Weights view(String newPrefix) {
        return new MappedWeights(newPrefix, singleFile, index, accessed, source());
    }
}

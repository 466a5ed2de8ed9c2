package dev.vega4j.io;

import dev.vega4j.tensor.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * Weights found through a name index that every view of one source shares, together with the record of which names
 * were read ({@link #accessedNames}, for {@link #unusedNames}). Subclasses say how an index entry becomes a float32
 * tensor (a safetensors file, an in-memory tensor, a single-file checkpoint name plus its transform).
 *
 * @param <E> what the index maps a full name to
 */
public abstract class IndexedWeights<E> extends Weights {
    protected final Map<String, E> index;
    protected final Set<String> accessed;
    private final String source;

    protected IndexedWeights(String prefix, Map<String, E> index, Set<String> accessed, String source) {
        super(prefix);
        this.index = index;
        this.accessed = accessed;
        this.source = source;
    }

    /** The tensor behind an index entry; with {@code keepMapped} it may be a mapped tensor ({@link Weights#getWeight}). */
    protected abstract Tensor read(String fullName, E entry, boolean keepMapped);

    @Override
    protected final Tensor load(String fullName, boolean keepMapped) {
        accessed.add(fullName);
        E entry = index.get(fullName);
        return entry == null ? null : read(fullName, entry, keepMapped);
    }

    @Override
    protected final boolean exists(String fullName) {
        return index.containsKey(fullName);
    }

    @Override
    public final Set<String> allNames() {
        return index.keySet();
    }

    @Override
    public final Set<String> accessedNames() {
        return Collections.unmodifiableSet(accessed);
    }

    @Override
    public final String source() {
        return source;
    }
}

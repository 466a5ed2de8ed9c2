package dev.vega4j.io;

import dev.vega4j.tensor.Tensor;
import java.util.Set;
import java.util.TreeSet;

/**
 * A named collection of weights with prefixed views, so a block built from {@code weights.sub("norm1")} finds
 * {@code norm1.weight} under its own name and the names in the file fall out of the module structure (as in diffusers
 * and candle's VarBuilder).
 */
public abstract class Weights {
    private final String prefix;

    protected Weights(String prefix) {
        this.prefix = prefix;
    }

    /** The tensor called {@code name} under this view, as float32. */
    public final Tensor get(String name) {
        return require(name, false);
    }

    /** Like {@link #get}, and checks the shape (a clear error when a config does not match its weights). */
    public final Tensor get(String name, int... shape) {
        return checkShape(name, get(name), shape);
    }

    /**
     * A layer's weight matrix or kernel (a Linear [out, in], a Conv2d [out, in, k, k], an embedding table) with the
     * given shape. Unlike {@link #get} it may be a mapped tensor ({@link Tensor#isMapped()}): a large float32/fp16/bf16
     * tensor stays in the file's bytes outside the heap (see {@link WeightResidency}), so only code that reads it
     * through the ops or {@link Tensor#readFloats} may ask for it this way.
     */
    public final Tensor getWeight(String name, int... shape) {
        return checkShape(name, require(name, true), shape);
    }

    /** The tensor, or null when the file has no such name (for optional parameters such as biases). */
    public final Tensor getOptional(String name) {
        return getOptional(name, false);
    }

    /** {@link #getWeight} without the shape check, or null when there is no such name. */
    public final Tensor getWeightOptional(String name) {
        return getOptional(name, true);
    }

    private Tensor getOptional(String name, boolean keepMapped) {
        String full = full(name);
        return exists(full) ? float32Unless(load(full, keepMapped), keepMapped) : null;
    }

    private Tensor require(String name, boolean keepMapped) {
        String full = full(name);
        Tensor t = load(full, keepMapped);
        if (t == null) {
            throw new MissingWeightsException(Set.of(full), source());
        }
        return float32Unless(t, keepMapped);
    }

    /** A source holding mapped tensors (random weights in native memory) still hands plain readers heap float32. */
    private static Tensor float32Unless(Tensor t, boolean keepMapped) {
        return t == null || keepMapped ? t : t.toFloat32();
    }

    private Tensor checkShape(String name, Tensor t, int... shape) {
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new dev.vega4j.VegaException(source() + ": weight '" + full(name) + "' has shape "
                    + java.util.Arrays.toString(t.shape()) + " but the model config expects "
                    + java.util.Arrays.toString(shape));
        }
        return t;
    }

    /**
     * The shape of the tensor called {@code name} under this view, or null when there is none; read from a file's
     * header where the source can, without loading the values (converters plan whole files this way).
     */
    public final int[] shape(String name) {
        String full = full(name);
        return exists(full) ? shapeOf(full) : null;
    }

    /** The shape of an existing tensor; sources that know it without reading the data override this. */
    protected int[] shapeOf(String fullName) {
        return load(fullName, true).shape();
    }

    public final boolean has(String name) {
        return exists(full(name));
    }

    /** A view whose names are relative to {@code prefix + "."}. */
    public final Weights sub(String name) {
        return view(full(name) + ".");
    }

    /** Names under this view, relative to it. */
    public final Set<String> names() {
        Set<String> out = new TreeSet<>();
        for (String n : allNames()) {
            if (n.startsWith(prefix)) {
                out.add(n.substring(prefix.length()));
            }
        }
        return out;
    }

    public final String prefix() {
        return prefix;
    }

    private String full(String name) {
        return prefix + name;
    }

    /**
     * The tensor with this full name, or null. With {@code keepMapped} the source may return a mapped tensor
     * ({@link Tensor#isMapped()}; without it, it may too: {@link #get} converts what comes back to heap float32).
     */
    protected abstract Tensor load(String fullName, boolean keepMapped);

    protected abstract boolean exists(String fullName);

    protected abstract Weights view(String newPrefix);

    /** Every full name in the underlying source. */
    public abstract Set<String> allNames();

    /** Full names that {@link #get}/{@link #getOptional} have been asked for, through any view. */
    public abstract Set<String> accessedNames();

    /** Where the weights come from, for messages. */
    public abstract String source();

    /** Names in the source that no module asked for (an adapter or checkpoint for another architecture). */
    public final Set<String> unusedNames() {
        Set<String> unused = new TreeSet<>(allNames());
        unused.removeAll(accessedNames());
        return unused;
    }
}

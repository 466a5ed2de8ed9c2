package dev.vega4j.models.layers;

import dev.vega4j.VegaException;
import dev.vega4j.io.MissingWeightsException;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a module gets its parameters while it is being built. Every module asks for each parameter by its diffusers
 * name and the shape its config implies, through a prefixed view ({@code p.sub("norm1").get("weight", c)}), so the
 * same constructors serve two purposes:
 * <ul>
 *   <li>{@link #from(Weights)}: load real weights. A missing name is remembered (not thrown at once) so that
 *       {@link #finish()} can list every missing weight in one {@link MissingWeightsException}; a wrong shape throws
 *       immediately since it means the config does not describe these weights.</li>
 *   <li>{@link #shapesOnly()}: allocate nothing and record every (name, shape) — parameter counting and random
 *       initialisation use this, so they can never disagree with the model.</li>
 * </ul>
 */
public abstract class Params {
    private static final System.Logger LOG = System.getLogger(Params.class.getName());

    private final String prefix;
    final Shared shared;

    /** State shared by every view of one build. */
    static final class Shared {
        final Weights weights; // null in a shapes-only build
        final Set<String> missing = new LinkedHashSet<>();
        final Map<String, int[]> shapes = new LinkedHashMap<>();
        final Map<String, AdaptableLayer> layers = new LinkedHashMap<>();

        Shared(Weights weights) {
            this.weights = weights;
        }
    }

    private Params(String prefix, Shared shared) {
        this.prefix = prefix;
        this.shared = shared;
    }

    /** Parameters read from {@code weights} (names relative to the view's prefix). */
    public static Params from(Weights weights) {
        return new Loading("", new Shared(weights));
    }

    /** A build that records the shapes only; every {@link #get} returns null. */
    public static Params shapesOnly() {
        return new Loading("", new Shared(null));
    }

    /** The view for child module {@code name}. */
    public Params sub(String name) {
        return new Loading(prefix + name + ".", shared);
    }

    public Params sub(int index) {
        return sub(Integer.toString(index));
    }

    /** True when {@link #get} returns real tensors (false for {@link #shapesOnly()}). */
    public boolean loading() {
        return shared.weights != null;
    }

    /**
     * The parameter {@code name} with the given shape: the tensor, or null when building shapes only or when it is
     * missing (then {@link #finish()} reports it).
     */
    public Tensor get(String name, int... shape) {
        return get(name, false, shape);
    }

    /**
     * Like {@link #get}, for a layer's weight matrix or kernel that is only read through the GEMM/convolution ops: it
     * may stay in the mapped file, outside the heap ({@link Weights#getWeight}, {@link dev.vega4j.io.WeightResidency}).
     */
    public Tensor getWeight(String name, int... shape) {
        return get(name, true, shape);
    }

    private Tensor get(String name, boolean keepMapped, int... shape) {
        String full = prefix + name;
        shared.shapes.put(full, shape.clone());
        if (shared.weights == null) {
            return null;
        }
        Tensor t = keepMapped ? shared.weights.getWeightOptional(full) : shared.weights.getOptional(full);
        if (t == null) {
            shared.missing.add(shared.weights.prefix() + full);
            return null;
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new VegaException(shared.weights.source() + ": weight '" + shared.weights.prefix() + full
                    + "' has shape " + Arrays.toString(t.shape()) + " but the model config expects "
                    + Arrays.toString(shape));
        }
        return t;
    }

    /**
     * Records {@code layer} as the module at this view's path (e.g. {@code down_blocks.1.attentions.0.proj_in}), so
     * adapters (LoRA) can find layers by their diffusers module names after the build.
     */
    public void register(AdaptableLayer layer) {
        shared.layers.put(prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix, layer);
    }

    /** The layers registered so far under their module paths, in build order (a live view). */
    public Map<String, AdaptableLayer> layers() {
        return Collections.unmodifiableMap(shared.layers);
    }

    /** Every parameter asked for so far, in build order, with its shape. */
    public Map<String, int[]> shapes() {
        return Collections.unmodifiableMap(shared.shapes);
    }

    /** Total number of parameters asked for so far. */
    public long count() {
        long n = 0;
        for (int[] s : shared.shapes.values()) {
            n += Tensor.numel(s);
        }
        return n;
    }

    /**
     * Ends a loading build: throws {@link MissingWeightsException} listing every missing weight, and logs a warning
     * naming weights under the view that no module used (another architecture, an adapter, a typo in a converter).
     */
    public void finish() {
        Weights w = shared.weights;
        if (w == null) {
            return;
        }
        if (!shared.missing.isEmpty()) {
            throw new MissingWeightsException(shared.missing, w.source());
        }
        Set<String> unused = new TreeSet<>();
        for (String n : w.names()) {
            if (!shared.shapes.containsKey(n)) {
                unused.add(w.prefix() + n);
            }
        }
        if (!unused.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1} weight(s) not used by the model, e.g. {2}", w.source(),
                    unused.size(), unused.stream().limit(5).toList());
        }
    }

    private static final class Loading extends Params {
        Loading(String prefix, Shared shared) {
            super(prefix, shared);
        }
    }
}

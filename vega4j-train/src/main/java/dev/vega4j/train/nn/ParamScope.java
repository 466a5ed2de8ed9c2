package dev.vega4j.train.nn;

import dev.vega4j.VegaException;
import dev.vega4j.io.MissingWeightsException;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.train.autograd.Var;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where trainable modules get their parameters: by diffusers name through prefixed views, like the inference
 * {@code Params}. Every parameter becomes a float32 master copy ({@link Var#parameter}) registered under its full
 * name, so the model's state dict is exactly the diffusers key set.
 */
public final class ParamScope {
    private final String prefix;
    private final Shared shared;

    private static final class Shared {
        final Weights weights;
        final Map<String, Var> params = new LinkedHashMap<>();
        final Set<String> missing = new LinkedHashSet<>();

        Shared(Weights weights) {
            this.weights = weights;
        }
    }

    private ParamScope(String prefix, Shared shared) {
        this.prefix = prefix;
        this.shared = shared;
    }

    /** Parameters copied from {@code weights} (the originals are never modified). */
    public static ParamScope from(Weights weights) {
        return new ParamScope("", new Shared(weights));
    }

    public ParamScope sub(String name) {
        return new ParamScope(prefix + name + ".", shared);
    }

    public ParamScope sub(int index) {
        return sub(Integer.toString(index));
    }

    /** The parameter {@code name} (a private copy of the stored tensor) with the shape the config implies. */
    public Var param(String name, int... shape) {
        String full = prefix + name;
        Tensor t = shared.weights.getOptional(full);
        Var v;
        if (t == null) {
            shared.missing.add(full);
            v = Var.parameter(Tensor.zeros(shape));
        } else {
            if (!Arrays.equals(t.shape(), shape)) {
                throw new VegaException(shared.weights.source() + ": weight '" + full + "' has shape "
                        + Arrays.toString(t.shape()) + " but the model config expects " + Arrays.toString(shape));
            }
            v = Var.parameter(t.copy());
        }
        shared.params.put(full, v);
        return v;
    }

    /** Ends the build: every missing weight at once; returns the parameters in build order. */
    Map<String, Var> finish() {
        if (!shared.missing.isEmpty()) {
            throw new MissingWeightsException(shared.missing, shared.weights.source());
        }
        return shared.params;
    }
}

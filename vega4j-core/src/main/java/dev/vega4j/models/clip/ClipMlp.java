package dev.vega4j.models.clip;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.Weights;
import dev.vega4j.models.layers.Linear;
import dev.vega4j.tensor.Tensor;

/** transformers {@code CLIPMLP}: fc1, activation, fc2. */
final class ClipMlp {
    private final Linear fc1;
    private final Linear fc2;
    private final ClipActivation act;

    ClipMlp(ClipTextConfig c, Weights w) {
        this.fc1 = Linear.load(w.sub("fc1"), c.hiddenSize(), c.intermediateSize(), true);
        this.fc2 = Linear.load(w.sub("fc2"), c.intermediateSize(), c.hiddenSize(), true);
        this.act = ClipActivation.of(c.hiddenAct());
    }

    void collectLayers(String prefix, java.util.Map<String, dev.vega4j.models.layers.AdaptableLayer> out) {
        out.put(prefix + "fc1", fc1);
        out.put(prefix + "fc2", fc2);
    }

    Tensor forward(Tensor x) {
        return fc2.forward(act.apply(fc1.forward(x)));
    }
}

package dev.vega4j.models.clip;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.Weights;
import dev.vega4j.models.layers.Linear;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/**
 * transformers {@code CLIPAttention} with the causal mask of the text tower. The scale {@code head_dim^-0.5} multiplies
 * the query projection before the product, as transformers does ({@code q_proj(x) * self.scale}), so the kernel runs
 * with scale 1. transformers adds {@code finfo(float32).min} above the diagonal rather than {@code -inf}; the two only
 * differ for a row with no visible key, and a causal row always sees itself, so the kernel's causal flag is exact.
 */
final class ClipAttention {
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final int heads;
    private final float scale;

    ClipAttention(ClipTextConfig c, Weights w) {
        int h = c.hiddenSize();
        this.qProj = Linear.load(w.sub("q_proj"), h, h, true);
        this.kProj = Linear.load(w.sub("k_proj"), h, h, true);
        this.vProj = Linear.load(w.sub("v_proj"), h, h, true);
        this.outProj = Linear.load(w.sub("out_proj"), h, h, true);
        this.heads = c.numAttentionHeads();
        this.scale = (float) Math.pow(c.headDim(), -0.5);
    }

    /** The projections under their transformers names, for adapters. */
    void collectLayers(String prefix, java.util.Map<String, dev.vega4j.models.layers.AdaptableLayer> out) {
        out.put(prefix + "q_proj", qProj);
        out.put(prefix + "k_proj", kProj);
        out.put(prefix + "v_proj", vProj);
        out.put(prefix + "out_proj", outProj);
    }

    /** x [B, T, H] → [B, T, H]. */
    Tensor forward(Tensor x) {
        var ops = Ops.get();
        Tensor q = ops.scale(qProj.forward(x), scale);
        Tensor k = kProj.forward(x);
        Tensor v = vProj.forward(x);
        return outProj.forward(ops.attention(q, k, v, heads, 1.0f, true));
    }
}

package dev.vega4j.models.clip;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** transformers {@code CLIPEncoderLayer}: pre-LayerNorm residual self-attention, then pre-LayerNorm residual MLP. */
final class ClipEncoderLayer {
    private final ClipLayerNorm layerNorm1;
    private final ClipAttention selfAttn;
    private final ClipLayerNorm layerNorm2;
    private final ClipMlp mlp;

    ClipEncoderLayer(ClipTextConfig c, Weights w) {
        this.layerNorm1 = ClipLayerNorm.load(w.sub("layer_norm1"), c.hiddenSize(), c.layerNormEps());
        this.selfAttn = new ClipAttention(c, w.sub("self_attn"));
        this.layerNorm2 = ClipLayerNorm.load(w.sub("layer_norm2"), c.hiddenSize(), c.layerNormEps());
        this.mlp = new ClipMlp(c, w.sub("mlp"));
    }

    void collectLayers(String prefix, java.util.Map<String, dev.vega4j.models.layers.AdaptableLayer> out) {
        selfAttn.collectLayers(prefix + "self_attn.", out);
        mlp.collectLayers(prefix + "mlp.", out);
    }

    Tensor forward(Tensor x) {
        var ops = Ops.get();
        Tensor h = ops.add(x, selfAttn.forward(layerNorm1.forward(x)));
        return ops.add(h, mlp.forward(layerNorm2.forward(h)));
    }
}

package dev.vega4j.models.clip;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.Weights;
import dev.vega4j.models.layers.Linear;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;

/**
 * transformers {@code CLIPTextModelWithProjection}: SDXL's second text encoder (OpenCLIP ViT-bigG/14, gelu). Adds
 * {@code text_embeds = text_projection(pooled)}, a Linear without bias [projection_dim, hidden_size].
 */
public final class ClipTextModelWithProjection implements ClipTextEncoder {
    private final ClipTextTransformer textModel;
    private final Linear textProjection;

    public ClipTextModelWithProjection(ClipTextConfig config, Weights weights) {
        this.textModel = new ClipTextTransformer(config, weights.sub("text_model"));
        this.textProjection = Linear.load(weights.sub("text_projection"), config.hiddenSize(),
                config.projectionDim(), false);
    }

    public static ClipTextModelWithProjection fromPretrained(Path dir) {
        ClipTextConfig config = ClipTextConfig.load(dir.resolve("config.json"));
        try (SafetensorsWeights w = SafetensorsWeights.open(ClipTextEncoder.weightsFile(dir))) {
            return new ClipTextModelWithProjection(config, w);
        }
    }

    @Override
    public Tensor finalLayerNorm(Tensor hidden) {
        return textModel.finalLayerNorm(hidden);
    }

    @Override
    public java.util.Map<String, dev.vega4j.models.layers.AdaptableLayer> adaptableLayers() {
        java.util.Map<String, dev.vega4j.models.layers.AdaptableLayer> m = textModel.adaptableLayers("text_model.");
        m.put("text_projection", textProjection);
        return m;
    }

    @Override
    public ClipTextConfig config() {
        return textModel.config();
    }

    /** As {@link ClipTextModel#forward}, with {@link ClipTextOutput#textEmbeds()} set. */
    @Override
    public ClipTextOutput forward(int[][] inputIds) {
        ClipTextOutput o = textModel.forward(inputIds);
        Tensor embeds = textProjection.forward(o.pooledOutput());
        return new ClipTextOutput(o.lastHiddenState(), o.hiddenStates(), o.pooledOutput(), embeds);
    }
}

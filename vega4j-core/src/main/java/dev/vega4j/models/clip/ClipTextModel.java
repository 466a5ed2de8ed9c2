package dev.vega4j.models.clip;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;

/**
 * transformers {@code CLIPTextModel}: the text encoder of SD 1.x and the first text encoder of SDXL (OpenAI CLIP
 * ViT-L/14, quick_gelu). Weights are those of a {@code text_encoder/} folder ({@code text_model.*}).
 */
public final class ClipTextModel implements ClipTextEncoder {
    private final ClipTextTransformer textModel;

    public ClipTextModel(ClipTextConfig config, Weights weights) {
        this.textModel = new ClipTextTransformer(config, weights.sub("text_model"));
    }

    /** Loads a diffusers {@code text_encoder/} folder ({@code config.json} + {@code model.safetensors}). */
    public static ClipTextModel fromPretrained(Path dir) {
        ClipTextConfig config = ClipTextConfig.load(dir.resolve("config.json"));
        try (SafetensorsWeights w = SafetensorsWeights.open(ClipTextEncoder.weightsFile(dir))) {
            return new ClipTextModel(config, w);
        }
    }

    @Override
    public Tensor finalLayerNorm(Tensor hidden) {
        return textModel.finalLayerNorm(hidden);
    }

    @Override
    public java.util.Map<String, dev.vega4j.models.layers.AdaptableLayer> adaptableLayers() {
        return textModel.adaptableLayers("text_model.");
    }

    @Override
    public ClipTextConfig config() {
        return textModel.config();
    }

    @Override
    public ClipTextOutput forward(int[][] inputIds) {
        return textModel.forward(inputIds);
    }
}

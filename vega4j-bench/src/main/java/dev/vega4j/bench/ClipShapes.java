package dev.vega4j.bench;

import dev.vega4j.config.ClipTextConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameter names and shapes of a transformers {@code CLIPTextModel} / {@code CLIPTextModelWithProjection} (as
 * {@code dev.vega4j.models.clip} reads them), for seeded random text encoders.
 */
final class ClipShapes {
    private ClipShapes() {}

    static Map<String, int[]> of(ClipTextConfig c) {
        int h = c.hiddenSize(), f = c.intermediateSize();
        Map<String, int[]> m = new LinkedHashMap<>();
        String t = "text_model.";
        m.put(t + "embeddings.token_embedding.weight", new int[] {c.vocabSize(), h});
        m.put(t + "embeddings.position_embedding.weight", new int[] {c.maxPositionEmbeddings(), h});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String l = t + "encoder.layers." + i + ".";
            for (String p : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                m.put(l + "self_attn." + p + ".weight", new int[] {h, h});
                m.put(l + "self_attn." + p + ".bias", new int[] {h});
            }
            for (String n : new String[] {"layer_norm1", "layer_norm2"}) {
                m.put(l + n + ".weight", new int[] {h});
                m.put(l + n + ".bias", new int[] {h});
            }
            m.put(l + "mlp.fc1.weight", new int[] {f, h});
            m.put(l + "mlp.fc1.bias", new int[] {f});
            m.put(l + "mlp.fc2.weight", new int[] {h, f});
            m.put(l + "mlp.fc2.bias", new int[] {h});
        }
        m.put(t + "final_layer_norm.weight", new int[] {h});
        m.put(t + "final_layer_norm.bias", new int[] {h});
        if (c.withProjection()) {
            m.put("text_projection.weight", new int[] {c.projectionDim(), h});
        }
        return m;
    }
}

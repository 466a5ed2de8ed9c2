package dev.vega4j.models.clip;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Tensor;

/**
 * transformers {@code CLIPTextEmbeddings}: token embedding plus the learned position embedding of positions
 * {@code 0..T-1}. (Older checkpoints also store the {@code position_ids} buffer; it is always {@code arange}, so it is
 * not read.)
 */
final class ClipTextEmbeddings {
    private final Tensor tokenEmbedding;
    private final Tensor positionEmbedding;
    private final int hidden;

    ClipTextEmbeddings(ClipTextConfig c, Weights w) {
        this.hidden = c.hiddenSize();
        // the largest tensor of a CLIP text model (49408 rows): may stay mapped, rows are read (widened) as needed
        this.tokenEmbedding = w.getWeight("token_embedding.weight", c.vocabSize(), hidden);
        this.positionEmbedding = w.get("position_embedding.weight", c.maxPositionEmbeddings(), hidden);
    }

    /** ids [B][T] (already validated) → [B, T, H]. */
    Tensor forward(int[][] ids) {
        int b = ids.length, t = ids[0].length;
        Tensor out = Tensor.zeros(b, t, hidden);
        float[] o = out.data(), tok = new float[hidden], pos = positionEmbedding.data();
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int dst = (bi * t + ti) * hidden, p = ti * hidden;
                tokenEmbedding.readFloats(ids[bi][ti] * hidden, tok, 0, hidden);
                for (int i = 0; i < hidden; i++) {
                    o[dst + i] = tok[i] + pos[p + i];
                }
            }
        }
        return out;
    }
}

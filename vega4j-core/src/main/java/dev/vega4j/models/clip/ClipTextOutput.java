package dev.vega4j.models.clip;

import dev.vega4j.tensor.Tensor;
import java.util.List;

/**
 * What a CLIP text encoder returns (transformers' {@code BaseModelOutputWithPooling} / {@code CLIPTextModelOutput}).
 *
 * @param lastHiddenState [B, T, H] after {@code final_layer_norm}
 * @param hiddenStates    the embeddings output, then the output of every encoder layer, each [B, T, H] and without the
 *                        final LayerNorm ({@code hiddenStates.get(size - 2)} is SDXL's "penultimate" / clip skip 2)
 * @param pooledOutput    [B, H]: the final-LN state at the EOS position
 * @param textEmbeds      [B, projection_dim] = {@code text_projection(pooledOutput)} for
 *                        {@code CLIPTextModelWithProjection}; null for a plain {@code CLIPTextModel}
 */
public record ClipTextOutput(Tensor lastHiddenState, List<Tensor> hiddenStates, Tensor pooledOutput,
        Tensor textEmbeds) {

    public ClipTextOutput {
        hiddenStates = List.copyOf(hiddenStates);
    }

    /** {@code hidden_states[i]} with Python indexing: {@code -1} is the last layer's output, {@code -2} the one before. */
    public Tensor hiddenState(int i) {
        int n = hiddenStates.size();
        int k = i < 0 ? n + i : i;
        if (k < 0 || k >= n) {
            throw new IndexOutOfBoundsException("hidden_states[" + i + "] of " + n);
        }
        return hiddenStates.get(k);
    }
}

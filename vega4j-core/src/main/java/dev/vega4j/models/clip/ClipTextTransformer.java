package dev.vega4j.models.clip;

import dev.vega4j.VegaException;
import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * transformers {@code CLIPTextTransformer} (modeling_clip.py, v4.37): embeddings, causal pre-LN encoder,
 * {@code final_layer_norm}, EOS pooling. Built from the {@code text_model.} view of the weights.
 */
public final class ClipTextTransformer {
    private final ClipTextConfig config;
    private final ClipTextEmbeddings embeddings;
    private final List<ClipEncoderLayer> layers;
    private final ClipLayerNorm finalLayerNorm;

    public ClipTextTransformer(ClipTextConfig config, Weights textModel) {
        this.config = config;
        this.embeddings = new ClipTextEmbeddings(config, textModel.sub("embeddings"));
        List<ClipEncoderLayer> ls = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            ls.add(new ClipEncoderLayer(config, textModel.sub("encoder.layers." + i)));
        }
        this.layers = List.copyOf(ls);
        this.finalLayerNorm = ClipLayerNorm.load(textModel.sub("final_layer_norm"), config.hiddenSize(),
                config.layerNormEps());
    }

    public ClipTextConfig config() {
        return config;
    }

    /** The encoder's linear layers under their names relative to {@code text_model.} (for adapters). */
    java.util.Map<String, dev.vega4j.models.layers.AdaptableLayer> adaptableLayers(String prefix) {
        java.util.Map<String, dev.vega4j.models.layers.AdaptableLayer> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).collectLayers(prefix + "encoder.layers." + i + ".", out);
        }
        return out;
    }

    /** ids [B][T] → last hidden state, every hidden state, pooled output (no projection). */
    public ClipTextOutput forward(int[][] inputIds) {
        validate(inputIds);
        Tensor h = embeddings.forward(inputIds);
        List<Tensor> hidden = new ArrayList<>(layers.size() + 1);
        hidden.add(h);
        for (ClipEncoderLayer layer : layers) {
            h = layer.forward(h);
            hidden.add(h);
        }
        Tensor last = finalLayerNorm.forward(h);
        return new ClipTextOutput(last, hidden, pool(last, inputIds), null);
    }

    /** {@code final_layer_norm} applied to any hidden state (SD 1.x clip skip normalises an earlier layer's output). */
    public Tensor finalLayerNorm(Tensor hidden) {
        return finalLayerNorm.forward(hidden);
    }

    /**
     * The final-LN state at each sequence's EOS token. transformers 4.37 keeps, for configs with the legacy
     * {@code eos_token_id == 2} (every SD/SDXL checkpoint), the original rule "position of the largest id" (EOS 49407
     * is the largest id of CLIP's vocabulary); otherwise it takes the first position holding {@code eos_token_id}.
     * Both are {@code argmax}, which returns the first maximal index (position 0 when no EOS is present).
     */
    private Tensor pool(Tensor last, int[][] ids) {
        int b = ids.length, t = ids[0].length, hs = config.hiddenSize();
        Tensor out = Tensor.zeros(b, hs);
        for (int bi = 0; bi < b; bi++) {
            int pos = eosPosition(ids[bi], config.eosTokenId());
            System.arraycopy(last.data(), (bi * t + pos) * hs, out.data(), bi * hs, hs);
        }
        return out;
    }

    static int eosPosition(int[] ids, int eosTokenId) {
        int best = 0;
        if (eosTokenId == 2) {
            for (int i = 1; i < ids.length; i++) {
                if (ids[i] > ids[best]) {
                    best = i;
                }
            }
            return best;
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == eosTokenId) {
                return i;
            }
        }
        return 0;
    }

    private void validate(int[][] ids) {
        if (ids == null || ids.length == 0 || ids[0] == null || ids[0].length == 0) {
            throw new VegaException("CLIP text encoder: no input ids (need at least one sequence of one token)");
        }
        int t = ids[0].length;
        if (t > config.maxPositionEmbeddings()) {
            throw new VegaException("CLIP text encoder: sequence of " + t + " tokens is longer than the "
                    + config.maxPositionEmbeddings() + " positions the model has");
        }
        for (int b = 0; b < ids.length; b++) {
            if (ids[b] == null || ids[b].length != t) {
                throw new VegaException("CLIP text encoder: sequence " + b + " has "
                        + (ids[b] == null ? 0 : ids[b].length) + " tokens, sequence 0 has " + t
                        + " (a batch needs equal lengths)");
            }
            for (int id : ids[b]) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new VegaException("CLIP text encoder: token id " + id + " outside the vocabulary [0, "
                            + config.vocabSize() + ")");
                }
            }
        }
    }
}

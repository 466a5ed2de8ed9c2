package dev.vega4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The text tower of a CLIP model as {@code config.json} describes it (transformers' {@code CLIPTextConfig}); a key the
 * file leaves out takes transformers' default (transformers 4.37 {@code models/clip/configuration_clip.py}).
 *
 * @param architectures    the {@code architectures} list ({@code CLIPTextModel}, {@code CLIPTextModelWithProjection});
 *                         empty when the file has none
 * @param eosTokenId       2 in the legacy configs every SD/SDXL checkpoint ships: pooling then takes the position of the
 *                         largest input id (see {@link dev.vega4j.models.clip.ClipTextTransformer})
 */
public record ClipTextConfig(
        List<String> architectures,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int projectionDim,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        String hiddenAct,
        double layerNormEps,
        int padTokenId,
        int bosTokenId,
        int eosTokenId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ClipTextConfig {
        architectures = List.copyOf(architectures);
        if (hiddenSize <= 0 || numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
            throw new VegaException("CLIP text config: hidden_size " + hiddenSize
                    + " is not a positive multiple of num_attention_heads " + numAttentionHeads);
        }
        if (numHiddenLayers < 0 || vocabSize <= 0 || maxPositionEmbeddings <= 0 || intermediateSize <= 0) {
            throw new VegaException("CLIP text config: non-positive size (vocab_size " + vocabSize
                    + ", max_position_embeddings " + maxPositionEmbeddings + ", intermediate_size " + intermediateSize
                    + ", num_hidden_layers " + numHiddenLayers + ")");
        }
    }

    /** transformers' defaults for every key (a CLIP ViT-B/32 text tower). */
    public static ClipTextConfig defaults() {
        return new ClipTextConfig(List.of(), 49408, 512, 2048, 512, 12, 8, 77, "quick_gelu", 1e-5, 1, 49406, 49407);
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** True when the file names {@code CLIPTextModelWithProjection} (SDXL's second text encoder). */
    public boolean withProjection() {
        return architectures.contains("CLIPTextModelWithProjection");
    }

    /** Reads a {@code config.json}; a full {@code CLIPConfig} (model_type "clip") contributes its {@code text_config}. */
    public static ClipTextConfig load(Path configJson) {
        try {
            return fromJson(JSON.readTree(Files.readString(configJson)), configJson.toString());
        } catch (NoSuchFileException e) {
            throw new VegaException("CLIP text config not found: " + configJson);
        } catch (IOException e) {
            throw new VegaException(configJson + ": cannot read CLIP text config: " + JsonErrors.describe(e), e);
        }
    }

    public static ClipTextConfig fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new VegaException(source + ": a CLIP text config must be a JSON object");
        }
        List<String> arch = new java.util.ArrayList<>();
        JsonNode a = root.get("architectures");
        if (a != null && a.isArray()) {
            a.forEach(n -> arch.add(n.asText()));
        }
        JsonNode node = root;
        if (root.has("text_config") && root.get("text_config").isObject()) {
            node = root.get("text_config");
        }
        ClipTextConfig d = defaults();
        try {
            return new ClipTextConfig(arch,
                    intOr(node, "vocab_size", d.vocabSize, source),
                    intOr(node, "hidden_size", d.hiddenSize, source),
                    intOr(node, "intermediate_size", d.intermediateSize, source),
                    intOr(node, "projection_dim", d.projectionDim, source),
                    intOr(node, "num_hidden_layers", d.numHiddenLayers, source),
                    intOr(node, "num_attention_heads", d.numAttentionHeads, source),
                    intOr(node, "max_position_embeddings", d.maxPositionEmbeddings, source),
                    stringOr(node, "hidden_act", d.hiddenAct),
                    doubleOr(node, "layer_norm_eps", d.layerNormEps, source),
                    intOr(node, "pad_token_id", d.padTokenId, source),
                    intOr(node, "bos_token_id", d.bosTokenId, source),
                    intOr(node, "eos_token_id", d.eosTokenId, source));
        } catch (VegaException e) {
            throw e.getMessage().startsWith(source) ? e : new VegaException(source + ": " + e.getMessage(), e);
        }
    }

    private static int intOr(JsonNode n, String key, int dflt, String source) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new VegaException(source + ": \"" + key + "\" must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static double doubleOr(JsonNode n, String key, double dflt, String source) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new VegaException(source + ": \"" + key + "\" must be a number, got " + v);
        }
        return v.doubleValue();
    }

    private static String stringOr(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : v.asText();
    }
}

package dev.vega4j.models.clip;

import dev.vega4j.VegaException;
import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;

/** Either CLIP text encoder; {@link #create} picks the class the config's {@code architectures} names. */
public sealed interface ClipTextEncoder permits ClipTextModel, ClipTextModelWithProjection {

    ClipTextConfig config();

    /** Encodes a batch of token id sequences of equal length (at most {@code max_position_embeddings}). */
    ClipTextOutput forward(int[][] inputIds);

    /**
     * {@code text_model.final_layer_norm} applied to {@code hidden} [.., hidden_size]: what diffusers' SD 1.x
     * {@code encode_prompt} does to {@code hidden_states[-(clip_skip + 1)]}.
     */
    Tensor finalLayerNorm(Tensor hidden);

    /**
     * The linear layers adapters (LoRA) can target, under their names in the encoder's weights file
     * ({@code text_model.encoder.layers.0.self_attn.q_proj}, ...).
     */
    java.util.Map<String, dev.vega4j.models.layers.AdaptableLayer> adaptableLayers();

    /** {@code CLIPTextModelWithProjection} when the config says so, else {@code CLIPTextModel}. */
    static ClipTextEncoder create(ClipTextConfig config, Weights weights) {
        return config.withProjection() ? new ClipTextModelWithProjection(config, weights)
                : new ClipTextModel(config, weights);
    }

    /** Loads a diffusers text encoder folder, choosing the class from its config. */
    static ClipTextEncoder fromPretrained(Path dir) {
        ClipTextConfig config = ClipTextConfig.load(dir.resolve("config.json"));
        return config.withProjection() ? ClipTextModelWithProjection.fromPretrained(dir)
                : ClipTextModel.fromPretrained(dir);
    }

    /** {@code model.safetensors}, or the shard index of a sharded checkpoint. */
    static Path weightsFile(Path dir) {
        for (String name : new String[] {"model.safetensors", "model.safetensors.index.json"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new VegaException(dir + ": no model.safetensors (or model.safetensors.index.json) in the text encoder"
                + " folder; only safetensors weights are supported");
    }
}

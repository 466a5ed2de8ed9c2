package dev.vega4j.pipeline;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.models.clip.ClipTextOutput;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import java.util.List;

/**
 * {@code StableDiffusionPipeline.encode_prompt} (diffusers 0.26.3, pipeline_stable_diffusion.py): the conditioning is
 * the encoder's {@code last_hidden_state}; with clip_skip k it is {@code final_layer_norm(hidden_states[-(k + 1)])}.
 * A missing negative prompt is encoded as "" (SD 1.5 has no force_zeros_for_empty_prompt), and the negative side
 * never uses clip_skip.
 */
public final class Sd15PromptEncoder implements PromptEncoder {
    private final PromptTokenizer tokenizer;
    private final ClipTextEncoder textEncoder;
    private final Tensor finalLnWeight;
    private final Tensor finalLnBias;
    private final float finalLnEps;

    /**
     * @param finalLnWeight {@code text_model.final_layer_norm.weight} (only needed for clip skip; may be null)
     * @param finalLnBias   {@code text_model.final_layer_norm.bias}
     */
    public Sd15PromptEncoder(PromptTokenizer tokenizer, ClipTextEncoder textEncoder, Tensor finalLnWeight,
            Tensor finalLnBias) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.finalLnWeight = finalLnWeight;
        this.finalLnBias = finalLnBias;
        this.finalLnEps = (float) textEncoder.config().layerNormEps();
    }

    /** The text encoder; adapters and prompt weighting reuse it. */
    public ClipTextEncoder textEncoder() {
        return textEncoder;
    }

    @Override
    public List<ClipTextEncoder> textEncoders() {
        return List.of(textEncoder);
    }

    @Override
    public PromptEmbeddings encode(String prompt, String prompt2, String negativePrompt, String negativePrompt2,
            int numImagesPerPrompt, boolean cfg, Integer clipSkip) {
        ClipTextOutput o = textEncoder.forward(new int[][] {tokenizer.encodePadded(prompt)});
        Tensor pos;
        if (clipSkip == null) {
            pos = o.lastHiddenState();
        } else {
            int n = o.hiddenStates().size();
            if (clipSkip + 1 > n) {
                throw new InvalidRequestException("clip skip " + clipSkip + " is too large for a text encoder with "
                        + (n - 1) + " layers");
            }
            if (finalLnWeight == null) {
                throw new IllegalStateException("clip skip needs the text encoder's final_layer_norm weights");
            }
            pos = Ops.get().layerNorm(o.hiddenState(-(clipSkip + 1)), finalLnWeight, finalLnBias, finalLnEps);
        }
        Tensor neg = null;
        if (cfg) {
            String n = negativePrompt == null ? "" : negativePrompt;
            neg = textEncoder.forward(new int[][] {tokenizer.encodePadded(n)}).lastHiddenState();
        }
        int k = numImagesPerPrompt;
        return new PromptEmbeddings(BatchOps.repeatEach(pos, k), neg == null ? null : BatchOps.repeatEach(neg, k),
                null, null);
    }
}

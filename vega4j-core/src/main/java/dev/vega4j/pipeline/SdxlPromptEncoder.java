package dev.vega4j.pipeline;

import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.models.clip.ClipTextOutput;
import dev.vega4j.tensor.Tensor;
import java.util.List;

/**
 * {@code StableDiffusionXLPipeline.encode_prompt} (diffusers 0.26.3, pipeline_stable_diffusion_xl.py): both encoders
 * read the prompt (text_encoder_2 reads {@code prompt_2 or prompt}); the conditioning is the concatenation of their
 * penultimate hidden states ({@code hidden_states[-(clip_skip + 2)]}), the pooled embedding is text_encoder_2's
 * {@code text_embeds}. Negative prompt: with {@code force_zeros_for_empty_prompt} a missing one gives zeros, otherwise
 * {@code negative_prompt or ""} is encoded - always from {@code hidden_states[-2]}, diffusers applies clip_skip to the
 * positive prompt only.
 */
public final class SdxlPromptEncoder implements PromptEncoder {
    private final PromptTokenizer tokenizer;
    private final ClipTextEncoder textEncoder;
    private final PromptTokenizer tokenizer2;
    private final ClipTextEncoder textEncoder2;
    private final boolean forceZerosForEmptyPrompt;

    public SdxlPromptEncoder(PromptTokenizer tokenizer, ClipTextEncoder textEncoder, PromptTokenizer tokenizer2,
            ClipTextEncoder textEncoder2, boolean forceZerosForEmptyPrompt) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.tokenizer2 = tokenizer2;
        this.textEncoder2 = textEncoder2;
        this.forceZerosForEmptyPrompt = forceZerosForEmptyPrompt;
    }

    @Override
    public PromptEmbeddings encode(String prompt, String prompt2, String negativePrompt, String negativePrompt2,
            int numImagesPerPrompt, boolean cfg, Integer clipSkip) {
        int hiddenIndex = clipSkip == null ? -2 : -(clipSkip + 2);
        Encoded pos = encodeBoth(prompt, orElse(prompt2, prompt), hiddenIndex);

        Tensor neg = null, negPooled = null;
        if (cfg) {
            if (negativePrompt == null && forceZerosForEmptyPrompt) {
                neg = Tensor.zeros(pos.embeds.shape());
                negPooled = Tensor.zeros(pos.pooled.shape());
            } else {
                String n1 = negativePrompt == null ? "" : negativePrompt;
                Encoded n = encodeBoth(n1, orElse(negativePrompt2, n1), -2);
                neg = n.embeds;
                negPooled = n.pooled;
            }
        }
        int k = numImagesPerPrompt;
        return new PromptEmbeddings(BatchOps.repeatEach(pos.embeds, k), neg == null ? null : BatchOps.repeatEach(neg, k),
                BatchOps.repeatEach(pos.pooled, k), negPooled == null ? null : BatchOps.repeatEach(negPooled, k));
    }

    /** The first text encoder (CLIP ViT-L); adapters and prompt weighting reuse it. */
    public ClipTextEncoder textEncoder() {
        return textEncoder;
    }

    /** The second text encoder (OpenCLIP bigG, with projection). */
    public ClipTextEncoder textEncoder2() {
        return textEncoder2;
    }

    @Override
    public List<ClipTextEncoder> textEncoders() {
        return List.of(textEncoder, textEncoder2);
    }

    public boolean forceZerosForEmptyPrompt() {
        return forceZerosForEmptyPrompt;
    }

    private record Encoded(Tensor embeds, Tensor pooled) {}

    private Encoded encodeBoth(String text1, String text2, int hiddenIndex) {
        ClipTextOutput o1 = textEncoder.forward(new int[][] {tokenizer.encodePadded(text1)});
        ClipTextOutput o2 = textEncoder2.forward(new int[][] {tokenizer2.encodePadded(text2)});
        Tensor h = BatchOps.catLast(hidden(o1, hiddenIndex), hidden(o2, hiddenIndex));
        // diffusers keeps output[0] of the last encoder: text_embeds for CLIPTextModelWithProjection.
        Tensor pooled = o2.textEmbeds() != null ? o2.textEmbeds() : o2.lastHiddenState();
        return new Encoded(h, pooled);
    }

    private static Tensor hidden(ClipTextOutput o, int index) {
        int n = o.hiddenStates().size();
        if (n + index < 0) {
            throw new dev.vega4j.VegaException("clip skip " + (-index - 2) + " is too large for a text encoder with "
                    + (n - 1) + " layers");
        }
        return o.hiddenState(index);
    }

    /** Python's {@code a or b} for strings: null and "" are false. */
    static String orElse(String a, String b) {
        return a == null || a.isEmpty() ? b : a;
    }
}

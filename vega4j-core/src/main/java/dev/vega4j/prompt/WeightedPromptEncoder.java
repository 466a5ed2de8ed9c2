package dev.vega4j.prompt;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.VegaException;
import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.models.clip.ClipTextOutput;
import dev.vega4j.pipeline.ModelIndex;
import dev.vega4j.pipeline.PromptEmbeddings;
import dev.vega4j.pipeline.PromptEncoder;
import dev.vega4j.pipeline.Sd15PromptEncoder;
import dev.vega4j.pipeline.SdxlPromptEncoder;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * An opt-in {@link PromptEncoder} with AUTOMATIC1111's prompt handling, around a pipeline's diffusers
 * {@code encode_prompt} ({@link SdxlPromptEncoder} or {@link Sd15PromptEncoder}), reusing its text encoders:
 * <ul>
 *   <li><b>weighting</b> ({@link Options#weighting}): {@code (word)}, {@code ((word))}, {@code (word:1.3)},
 *       {@code [word]}, {@code \(} escapes - see {@link PromptAttention}. A1111's "original" emphasis
 *       ({@code modules/sd_emphasis.py, EmphasisOriginal}): per chunk and per text encoder, with {@code z} the
 *       embedding the pipeline conditions on ([1, 77, D]: SDXL {@code hidden_states[-2]} of each encoder, SD 1.x
 *       {@code last_hidden_state} or the clip-skip state after {@code final_layer_norm}),
 *       {@code z' = z * w[token]} (every feature of a token's output vector times that token's weight), then
 *       {@code z'' = z' * (mean(z) / mean(z'))} with the means over all elements of the chunk, which puts the overall
 *       mean back where it was. Weights multiply encoder <i>outputs</i>; the encoder itself sees plain ids.</li>
 *   <li><b>long prompts</b> ({@link Options#longPrompts}): prompts longer than 75 tokens are split into 75-token chunks
 *       ({@link PromptChunker}, optional comma backtracking, {@code BREAK}); each chunk is encoded on its own as
 *       {@code [BOS] tokens [EOS] pad} and the results are concatenated along the sequence ([1, 77·k, D]). SDXL's
 *       pooled embedding comes from the first chunk. When the prompt and the negative prompt have different chunk
 *       counts, the shorter is extended with the encoding of an empty chunk (A1111's {@code pad_cond}), so CFG can
 *       batch them. Without this option prompts are truncated to 75 tokens, as in diffusers.</li>
 * </ul>
 * With both options off this encoder is the diffusers one. With them on, a prompt without emphasis syntax that fits
 * in 75 tokens still gives exactly diffusers' embeddings (same ids, all weights 1, so the rescale factor is exactly
 * 1); only prompts that use the syntax or exceed 75 tokens change.
 */
public final class WeightedPromptEncoder implements PromptEncoder {

    /**
     * @param weighting      parse A1111 emphasis syntax
     * @param longPrompts    chunk prompts longer than 75 tokens instead of truncating
     * @param commaBacktrack A1111's {@code comma_padding_backtrack} (20 there; 0 = ComfyUI's plain cut)
     */
    public record Options(boolean weighting, boolean longPrompts, int commaBacktrack) {
        public static final Options OFF = new Options(false, false, 0);
        /** What AUTOMATIC1111 does by default. */
        public static final Options A1111 = new Options(true, true, PromptChunker.DEFAULT_COMMA_BACKTRACK);

        public Options {
            if (commaBacktrack < 0 || commaBacktrack > PromptChunker.CHUNK) {
                throw new VegaException("comma backtrack must be between 0 and 75, got " + commaBacktrack);
            }
        }

        public boolean any() {
            return weighting || longPrompts;
        }
    }

    private final PromptEncoder base;
    private final Options options;
    private final Side first;
    private final Side second; // SDXL only
    private final boolean sdxl;
    private final boolean forceZeros;

    /** One tokenizer + text encoder pair. */
    private record Side(PromptChunker chunker, ClipTextEncoder encoder) {}

    /**
     * @param base       the pipeline's diffusers encoder ({@link SdxlPromptEncoder} or {@link Sd15PromptEncoder})
     * @param tokenizer  its first tokenizer
     * @param tokenizer2 SDXL's second tokenizer (null for SD 1.x)
     */
    public WeightedPromptEncoder(PromptEncoder base, ClipTokenizer tokenizer, ClipTokenizer tokenizer2,
            Options options) {
        this.base = base;
        this.options = options;
        int backtrack = options.commaBacktrack();
        if (base instanceof SdxlPromptEncoder s) {
            if (tokenizer2 == null) {
                throw new VegaException("an SDXL prompt encoder needs both tokenizers");
            }
            this.sdxl = true;
            this.forceZeros = s.forceZerosForEmptyPrompt();
            this.first = new Side(new PromptChunker(tokenizer, backtrack), s.textEncoder());
            this.second = new Side(new PromptChunker(tokenizer2, backtrack), s.textEncoder2());
        } else if (base instanceof Sd15PromptEncoder s) {
            this.sdxl = false;
            this.forceZeros = false;
            this.first = new Side(new PromptChunker(tokenizer, backtrack), s.textEncoder());
            this.second = null;
        } else {
            throw new VegaException("prompt weighting needs a diffusers SDXL or SD 1.5 prompt encoder, got "
                    + base.getClass().getSimpleName());
        }
    }

    /** Wraps {@code base} with the tokenizer(s) of the pipeline folder {@code index}. */
    public static WeightedPromptEncoder wrap(ModelIndex index, PromptEncoder base, Options options) {
        ClipTokenizer t1 = ClipTokenizer.load(index.component("tokenizer"));
        ClipTokenizer t2 = base instanceof SdxlPromptEncoder ? ClipTokenizer.load(index.component("tokenizer_2")) : null;
        return new WeightedPromptEncoder(base, t1, t2, options);
    }

    /** Wraps {@code base} with the tokenizer(s) of an opened pipeline folder. */
    public static WeightedPromptEncoder wrap(dev.vega4j.pipeline.folder.PipelineFolder folder, PromptEncoder base,
            Options options) {
        return wrap(new dev.vega4j.pipeline.FolderSource(folder), base, options);
    }

    /** Wraps {@code base} with the tokenizer(s) of a folder or single-file checkpoint. */
    public static WeightedPromptEncoder wrap(dev.vega4j.pipeline.PipelineSource source, PromptEncoder base,
            Options options) {
        ClipTokenizer t1 = source.tokenizer("tokenizer");
        ClipTokenizer t2 = base instanceof SdxlPromptEncoder ? source.tokenizer("tokenizer_2") : null;
        return new WeightedPromptEncoder(base, t1, t2, options);
    }

    /** {@link #enable(dev.vega4j.pipeline.DiffusionPipeline, dev.vega4j.pipeline.folder.PipelineFolder, Options)}
     * with the tokenizers of a folder or single-file checkpoint (read now; {@code source} may be closed after). */
    public static dev.vega4j.pipeline.DiffusionPipeline enable(dev.vega4j.pipeline.DiffusionPipeline pipeline,
            dev.vega4j.pipeline.PipelineSource source, Options options) {
        PromptEncoder base = pipeline.promptEncoder() instanceof WeightedPromptEncoder w ? w.base()
                : pipeline.promptEncoder();
        return new dev.vega4j.pipeline.DiffusionPipeline(pipeline.info(), wrap(source, base, options), pipeline.unet(),
                pipeline.vae(), pipeline.schedulers(), pipeline);
    }

    /**
     * The same pipeline (sharing every model) with this prompt handling: what a caller opting in uses, e.g.
     * {@code WeightedPromptEncoder.enable(PipelineLoader.load(folder), folder, Options.A1111)}. Closing the returned
     * pipeline closes {@code pipeline}.
     */
    public static dev.vega4j.pipeline.DiffusionPipeline enable(dev.vega4j.pipeline.DiffusionPipeline pipeline,
            dev.vega4j.pipeline.folder.PipelineFolder folder, Options options) {
        return enable(pipeline, new dev.vega4j.pipeline.FolderSource(folder), options);
    }

    /** The diffusers encoder this one wraps. */
    public PromptEncoder base() {
        return base;
    }

    /** The wrapped encoder's: weighting changes how prompts are tokenized and mixed, not which modules run. */
    @Override
    public List<ClipTextEncoder> textEncoders() {
        return base.textEncoders();
    }

    public Options options() {
        return options;
    }

    @Override
    public PromptEmbeddings encode(String prompt, String prompt2, String negativePrompt, String negativePrompt2,
            int numImagesPerPrompt, boolean cfg, Integer clipSkip) {
        if (!options.any()) {
            return base.encode(prompt, prompt2, negativePrompt, negativePrompt2, numImagesPerPrompt, cfg, clipSkip);
        }
        Encoded pos = sdxl ? encodeSdxl(prompt, orElse(prompt2, prompt), clipSkip == null ? -2 : -(clipSkip + 2))
                : encodeSd15(prompt, clipSkip);
        Encoded neg = null;
        if (cfg) {
            if (sdxl && negativePrompt == null && forceZeros) {
                neg = new Encoded(Tensor.zeros(pos.embeds.shape()), Tensor.zeros(pos.pooled.shape()), () -> null);
            } else {
                String n1 = negativePrompt == null ? "" : negativePrompt;
                neg = sdxl ? encodeSdxl(n1, orElse(negativePrompt2, n1), -2) : encodeSd15(n1, null);
                int len = Math.max(pos.embeds.dim(1), neg.embeds.dim(1));
                pos = pos.padTo(len);
                neg = neg.padTo(len);
            }
        }
        int k = numImagesPerPrompt;
        return new PromptEmbeddings(repeat(pos.embeds, k), neg == null ? null : repeat(neg.embeds, k),
                pos.pooled == null ? null : repeat(pos.pooled, k),
                neg == null || neg.pooled == null ? null : repeat(neg.pooled, k));
    }

    /**
     * @param embeds [1, 77·k, D]
     * @param pooled SDXL's pooled embedding (first chunk), else null
     * @param empty  the embedding of one empty chunk [1, 77, D], for padding to a common length
     */
    private record Encoded(Tensor embeds, Tensor pooled, java.util.function.Supplier<Tensor> empty) {
        Encoded padTo(int len) {
            Tensor e = embeds;
            if (e.dim(1) < len) {
                Tensor pad = empty.get();
                while (e.dim(1) < len) {
                    e = catSeq(List.of(e, pad));
                }
            }
            return new Encoded(e, pooled, empty);
        }
    }

    private List<PromptChunker.Chunk> chunks(PromptChunker c, String text) {
        List<PromptChunker.Chunk> cs = c.chunks(text, options.weighting());
        return options.longPrompts() ? cs : cs.subList(0, 1);
    }

    private Encoded encodeSdxl(String text1, String text2, int hiddenIndex) {
        List<PromptChunker.Chunk> c1 = chunks(first.chunker(), text1);
        List<PromptChunker.Chunk> c2 = chunks(second.chunker(), text2);
        // the tokenizers may cut differently (tokenizer_2 splits on "!"); pad the shorter with empty chunks
        PromptChunker.Chunk e1 = first.chunker().emptyChunk(), e2 = second.chunker().emptyChunk();
        int n = Math.max(c1.size(), c2.size());
        List<Tensor> parts = new ArrayList<>();
        Tensor pooled = null;
        for (int i = 0; i < n; i++) {
            Tensor h1 = weighted(first.encoder().forward(ids(i < c1.size() ? c1.get(i) : e1)), hiddenIndex,
                    i < c1.size() ? c1.get(i) : e1);
            ClipTextOutput o2 = second.encoder().forward(ids(i < c2.size() ? c2.get(i) : e2));
            Tensor h2 = weighted(o2, hiddenIndex, i < c2.size() ? c2.get(i) : e2);
            if (i == 0) {
                pooled = o2.textEmbeds() != null ? o2.textEmbeds() : o2.lastHiddenState();
            }
            parts.add(catLast(h1, h2));
        }
        return new Encoded(catSeq(parts), pooled, () -> catLast(hidden(first.encoder().forward(ids(e1)), hiddenIndex),
                hidden(second.encoder().forward(ids(e2)), hiddenIndex)));
    }

    private Encoded encodeSd15(String text, Integer clipSkip) {
        List<Tensor> parts = new ArrayList<>();
        for (PromptChunker.Chunk c : chunks(first.chunker(), text)) {
            parts.add(emphasis(sd15State(first.encoder().forward(ids(c)), clipSkip), c.multipliers()));
        }
        return new Encoded(catSeq(parts), null,
                () -> sd15State(first.encoder().forward(ids(first.chunker().emptyChunk())), clipSkip));
    }

    /** diffusers' SD 1.x conditioning: last_hidden_state, or final_layer_norm(hidden_states[-(k + 1)]). */
    private Tensor sd15State(ClipTextOutput o, Integer clipSkip) {
        if (clipSkip == null) {
            return o.lastHiddenState();
        }
        int n = o.hiddenStates().size();
        if (clipSkip + 1 > n) {
            throw new InvalidRequestException("clip skip " + clipSkip + " is too large for a text encoder with "
                    + (n - 1) + " layers");
        }
        return first.encoder().finalLayerNorm(o.hiddenState(-(clipSkip + 1)));
    }

    private static Tensor hidden(ClipTextOutput o, int index) {
        int n = o.hiddenStates().size();
        if (n + index < 0) {
            throw new InvalidRequestException("clip skip " + (-index - 2) + " is too large for a text encoder with "
                    + (n - 1) + " layers");
        }
        return o.hiddenState(index);
    }

    private Tensor weighted(ClipTextOutput o, int hiddenIndex, PromptChunker.Chunk c) {
        return emphasis(hidden(o, hiddenIndex), c.multipliers());
    }

    /**
     * A1111's EmphasisOriginal on one chunk z [1, T, D]: {@code z * w[t]}, then times {@code mean(z) / mean(z·w)}.
     * Returns z itself when every weight is 1 (the factor would be exactly 1).
     */
    static Tensor emphasis(Tensor z, float[] w) {
        boolean plain = true;
        for (float v : w) {
            plain &= v == 1f;
        }
        if (plain) {
            return z;
        }
        int t = z.dim(1), d = z.dim(2);
        if (w.length != t || z.dim(0) != 1) {
            throw new IllegalArgumentException("emphasis: " + w.length + " weights for " + java.util.Arrays.toString(
                    z.shape()));
        }
        float[] src = z.data();
        float[] out = new float[src.length];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = src[i * d + j] * w[i];
            }
        }
        float originalMean = mean(src), newMean = mean(out);
        float factor = originalMean / newMean;
        for (int i = 0; i < out.length; i++) {
            out[i] *= factor;
        }
        return Tensor.of(out, z.shape());
    }

    /** Mean accumulated in double, rounded once (torch's float32 mean is pairwise; both are within an ulp or so). */
    private static float mean(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return (float) (s / a.length);
    }

    private static int[][] ids(PromptChunker.Chunk c) {
        return new int[][] {c.ids()};
    }

    /** [1, T1, D] ++ [1, T2, D] ... along the sequence. */
    static Tensor catSeq(List<Tensor> parts) {
        if (parts.size() == 1) {
            return parts.getFirst();
        }
        int d = parts.getFirst().dim(2), t = 0;
        for (Tensor p : parts) {
            t += p.dim(1);
        }
        float[] out = new float[t * d];
        int off = 0;
        for (Tensor p : parts) {
            System.arraycopy(p.data(), 0, out, off, p.numel());
            off += p.numel();
        }
        return Tensor.of(out, 1, t, d);
    }

    /** [1, T, D1] ++ [1, T, D2] along the features. */
    private static Tensor catLast(Tensor a, Tensor b) {
        int t = a.dim(1), da = a.dim(2), db = b.dim(2);
        float[] out = new float[t * (da + db)];
        for (int i = 0; i < t; i++) {
            System.arraycopy(a.data(), i * da, out, i * (da + db), da);
            System.arraycopy(b.data(), i * db, out, i * (da + db) + da, db);
        }
        return Tensor.of(out, 1, t, da + db);
    }

    /** Repeats a batch-1 tensor n times along the batch. */
    private static Tensor repeat(Tensor x, int n) {
        if (n == 1) {
            return x;
        }
        int[] shape = x.shape().clone();
        shape[0] = n;
        float[] out = new float[x.numel() * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x.data(), 0, out, i * x.numel(), x.numel());
        }
        return Tensor.of(out, shape);
    }

    private static String orElse(String a, String b) {
        return a == null || a.isEmpty() ? b : a;
    }
}

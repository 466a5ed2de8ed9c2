package dev.vega4j.prompt;

import dev.vega4j.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a weighted prompt into CLIP-sized chunks the way AUTOMATIC1111 does ({@code modules/sd_hijack_clip.py},
 * {@code FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line}): every fragment is tokenized on its own (no BOS/EOS),
 * the tokens with their weights are cut into chunks of 75, each chunk becomes {@code [BOS] 75 slots [EOS]} with the
 * unused slots filled by EOS and weight 1 (BOS/EOS weigh 1 too), and then - as A1111's {@code process_tokens} does
 * for encoders whose pad token differs from EOS (SDXL's OpenCLIP tokenizer pads with "!" = id 0) - everything after
 * the first EOS is set to the tokenizer's pad id. So a prompt of at most 75 tokens gives exactly the ids diffusers'
 * {@code tokenizer(padding="max_length", max_length=77)} gives.
 *
 * <p>{@code BREAK} closes the current chunk. With a comma backtrack of n (A1111's {@code comma_padding_backtrack},
 * default 20; 0 = off, ComfyUI's behaviour), a chunk that fills up within n tokens after a comma is cut after that
 * comma and the rest moves to the next chunk. An empty prompt gives one chunk of padding.
 */
public final class PromptChunker {
    /** Tokens per chunk between BOS and EOS. */
    public static final int CHUNK = 75;
    public static final int DEFAULT_COMMA_BACKTRACK = 20;

    /** One CLIP input: 77 ids and the weight of each position. */
    public record Chunk(int[] ids, float[] multipliers) {
        @Override
        public String toString() {
            return Arrays.toString(ids) + " x " + Arrays.toString(multipliers);
        }
    }

    private final ClipTokenizer tokenizer;
    private final int commaBacktrack;
    private final int commaId;

    public PromptChunker(ClipTokenizer tokenizer, int commaBacktrack) {
        this.tokenizer = tokenizer;
        this.commaBacktrack = commaBacktrack;
        this.commaId = tokenizer.tokenToId(",</w>");
    }

    /** Parses and chunks {@code prompt}; {@code weighting = false} takes the text literally, every token weighing 1. */
    public List<Chunk> chunks(String prompt, boolean weighting) {
        List<PromptAttention.Fragment> fragments = weighting ? PromptAttention.parse(prompt)
                : List.of(new PromptAttention.Fragment(prompt, 1.0));
        return chunks(fragments);
    }

    public List<Chunk> chunks(List<PromptAttention.Fragment> fragments) {
        State s = new State();
        for (PromptAttention.Fragment f : fragments) {
            if (f.isBreak()) {
                s.nextChunk();
                continue;
            }
            List<String> pieces = tokenizer.tokenize(f.text());
            for (String piece : pieces) {
                int token = tokenizer.tokenToId(piece);
                if (token == commaId) {
                    s.lastComma = s.tokens.size();
                } else if (commaBacktrack != 0 && s.tokens.size() == CHUNK && s.lastComma != -1
                        && s.tokens.size() - s.lastComma <= commaBacktrack) {
                    int cut = s.lastComma + 1;
                    List<Integer> relocTokens = new ArrayList<>(s.tokens.subList(cut, s.tokens.size()));
                    List<Float> relocWeights = new ArrayList<>(s.weights.subList(cut, s.weights.size()));
                    s.tokens.subList(cut, s.tokens.size()).clear();
                    s.weights.subList(cut, s.weights.size()).clear();
                    s.nextChunk();
                    s.tokens.addAll(relocTokens);
                    s.weights.addAll(relocWeights);
                }
                if (s.tokens.size() == CHUNK) {
                    s.nextChunk();
                }
                s.tokens.add(token);
                s.weights.add((float) f.weight());
            }
        }
        if (!s.tokens.isEmpty() || s.chunks.isEmpty()) {
            s.nextChunk();
        }
        return s.chunks;
    }

    /** The chunk an empty prompt gives (A1111 pads a shorter conditioning with copies of it). */
    public Chunk emptyChunk() {
        return chunks(List.of(new PromptAttention.Fragment("", 1.0))).getFirst();
    }

    private final class State {
        final List<Chunk> chunks = new ArrayList<>();
        final List<Integer> tokens = new ArrayList<>();
        final List<Float> weights = new ArrayList<>();
        int lastComma = -1;

        void nextChunk() {
            int[] ids = new int[CHUNK + 2];
            float[] mult = new float[CHUNK + 2];
            Arrays.fill(ids, tokenizer.eosTokenId());
            Arrays.fill(mult, 1f);
            ids[0] = tokenizer.bosTokenId();
            for (int i = 0; i < tokens.size(); i++) {
                ids[i + 1] = tokens.get(i);
                mult[i + 1] = weights.get(i);
            }
            // process_tokens: after the first EOS the encoder's own pad id
            int firstEos = -1;
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == tokenizer.eosTokenId()) {
                    firstEos = i;
                    break;
                }
            }
            for (int i = firstEos + 1; i < ids.length; i++) {
                ids[i] = tokenizer.padTokenId();
            }
            chunks.add(new Chunk(ids, mult));
            tokens.clear();
            weights.clear();
            lastComma = -1;
        }
    }
}

package dev.vega4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.config.JsonErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CLIP tokenizer exactly as diffusers uses it: transformers' slow {@code CLIPTokenizer} without {@code ftfy}
 * (models/clip/tokenization_clip.py and tokenization_utils.py). Pipeline per prompt:
 * <ol>
 *   <li>split the raw text on added tokens ({@code <|startoftext|>}, {@code <|endoftext|>}, and any other token the
 *       config registers, such as SDXL {@code tokenizer_2}'s pad token {@code "!"}, which therefore splits the text on
 *       every {@code '!'});</li>
 *   <li>each text piece: {@link BasicTokenizer} normalisation, {@link ClipPreTokenizer}, byte-level BPE;</li>
 *   <li>ids from {@code vocab.json} (unknown pieces map to the unk token), then {@code [BOS] ids [EOS]}.</li>
 * </ol>
 * Instances are immutable apart from a thread-safe BPE cache and can be shared.
 */
public final class ClipTokenizer {
    private static final String BOS_TEXT = "<|startoftext|>";
    private static final String EOS_TEXT = "<|endoftext|>";
    /** The reference reads at most this many merges (49152 - 256 - 2, the size of CLIP's BPE vocabulary). */
    static final int MAX_MERGES = 49152 - 256 - 2;

    private final Path dir;
    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final BytePairEncoder bpe;
    private final Map<String, AddedToken> addedTokens;
    private final AddedTokenSplitter splitter;
    private final int bosId, eosId, unkId, padId;
    private final int modelMaxLength;

    private ClipTokenizer(Path dir, Map<String, Integer> encoder, BytePairEncoder bpe,
            Map<String, AddedToken> addedTokens, int[] specialIds, int modelMaxLength) {
        this.dir = dir;
        this.encoder = encoder;
        this.bpe = bpe;
        this.modelMaxLength = modelMaxLength;
        this.addedTokens = addedTokens;
        this.splitter = new AddedTokenSplitter(List.copyOf(addedTokens.values()));
        this.bosId = specialIds[0];
        this.eosId = specialIds[1];
        this.unkId = specialIds[2];
        this.padId = specialIds[3];
        int maxId = encoder.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        for (AddedToken t : addedTokens.values()) {
            maxId = Math.max(maxId, t.id());
        }
        this.decoder = new String[maxId + 1];
        encoder.forEach((tok, id) -> decoder[id] = tok);
        addedTokens.values().forEach(t -> decoder[t.id()] = t.content());
    }

    private static ClipTokenizer create(Path dir, Map<String, Integer> encoder, BytePairEncoder bpe,
            TokenizerConfig config) {
        Map<String, AddedToken> added = registerAddedTokens(encoder, config);
        int[] ids = {requiredId(dir, added, config.bos(), "bos_token"), requiredId(dir, added, config.eos(), "eos_token"),
                requiredId(dir, added, config.unk(), "unk_token"), requiredId(dir, added, config.pad(), "pad_token")};
        return new ClipTokenizer(dir, encoder, bpe, added, ids, config.modelMaxLength());
    }

    /**
     * A tokenizer that also knows {@code tokens} as added (non-special) tokens, as {@code tokenizer.add_tokens(tokens)}
     * registers them (diffusers' textual inversion): matched in the raw text, case-sensitively and before any
     * normalisation, never split by BPE. A token already in the vocabulary keeps its id, a new one gets the next id.
     */
    public ClipTokenizer withAddedTokens(List<String> tokens) {
        Map<String, AddedToken> added = new LinkedHashMap<>(addedTokens);
        int next = decoder.length;
        for (String t : tokens) {
            if (t == null || t.isEmpty() || added.containsKey(t)) {
                continue;
            }
            Integer id = encoder.get(t);
            added.put(t, new AddedToken(t, id != null ? id : next++, false, false, false));
        }
        return new ClipTokenizer(dir, encoder, bpe, added, new int[] {bosId, eosId, unkId, padId}, modelMaxLength);
    }

    /**
     * Loads a tokenizer folder: {@code vocab.json}, {@code merges.txt}, and optionally {@code tokenizer_config.json}
     * and {@code special_tokens_map.json}.
     */
    public static ClipTokenizer load(Path dir) {
        Path vocabFile = dir.resolve("vocab.json"), mergesFile = dir.resolve("merges.txt");
        for (Path p : List.of(vocabFile, mergesFile)) {
            if (!Files.isRegularFile(p)) {
                throw new TokenizerException("tokenizer file " + p + " is missing: a CLIP tokenizer folder needs"
                        + " vocab.json and merges.txt (copy them from the model's tokenizer/ folder)");
            }
        }
        return create(dir, readVocab(readText(vocabFile), vocabFile.toString()),
                new BytePairEncoder(readMerges(mergesFile)), TokenizerConfig.read(dir));
    }

    /**
     * A tokenizer from the contents of its files rather than a folder (vega4j's bundled CLIP vocabulary for
     * single-file checkpoints): {@code vocabJson} and {@code mergesTxt} as in {@code vocab.json} / {@code merges.txt},
     * the {@code tokenizer_config.json} and {@code special_tokens_map.json} objects (null = empty: CLIP's defaults).
     * {@code source} names them in messages; {@link #dir()} is then null.
     */
    public static ClipTokenizer of(String source, String vocabJson, String mergesTxt, JsonNode tokenizerConfig,
            JsonNode specialTokensMap) {
        ObjectMapper json = new ObjectMapper();
        TokenizerConfig config = TokenizerConfig.of(tokenizerConfig != null ? tokenizerConfig : json.createObjectNode(),
                specialTokensMap != null ? specialTokensMap : json.createObjectNode(), source);
        return create(null, readVocab(vocabJson, source + " vocab.json"), new BytePairEncoder(parseMerges(mergesTxt)),
                config);
    }

    private static String readText(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TokenizerException(p + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Map<String, Integer> readVocab(String text, String p) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new TokenizerException(p + ": not a readable JSON vocabulary: " + JsonErrors.describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerException(p + ": expected a JSON object mapping tokens to ids");
        }
        Map<String, Integer> vocab = new HashMap<>(root.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < 0) {
                throw new TokenizerException(p + ": id of token '" + e.getKey() + "' is not a non-negative integer");
            }
            vocab.put(e.getKey(), v.asInt());
        }
        return vocab;
    }

    /** {@code merges.read().strip().split("\n")[1 : 49152 - 256 - 2 + 1]}, each line split on whitespace. */
    static List<String[]> readMerges(Path p) {
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TokenizerException(p + ": cannot read merges: " + e.getMessage(), e);
        }
        return parseMerges(text);
    }

    private static List<String[]> parseMerges(String text) {
        String[] lines = text.strip().split("\n", -1);
        List<String[]> merges = new ArrayList<>(Math.min(lines.length, MAX_MERGES));
        for (int i = 1; i < lines.length && i <= MAX_MERGES; i++) {
            List<String> parts = BasicTokenizer.splitOnPythonWhitespace(lines[i]);
            if (parts.size() != 2) {
                // The reference keeps such a line as a tuple that can never match a pair; it still takes a rank.
                merges.add(new String[] {"\u0000bad-merge-" + i, "\u0000"});
                continue;
            }
            merges.add(parts.toArray(String[]::new));
        }
        return merges;
    }

    /**
     * The added tokens, as PreTrainedTokenizer registers them: explicit {@code added_tokens_decoder} entries, then the
     * special tokens; a token already in the vocabulary keeps its id, a new one gets the next free id.
     */
    private static Map<String, AddedToken> registerAddedTokens(Map<String, Integer> encoder, TokenizerConfig config) {
        Map<String, AddedToken> added = new LinkedHashMap<>();
        config.addedTokensDecoder().forEach((id, t) ->
                added.putIfAbsent(t.content(), new AddedToken(t.content(), id, t.lstrip(), t.rstrip(), t.special())));
        List<TokenizerConfig.TokenSpec> specials = new ArrayList<>();
        for (TokenizerConfig.TokenSpec t : Arrays.asList(config.bos(), config.eos(), config.unk(), config.pad())) {
            if (t != null) {
                specials.add(t);
            }
        }
        specials.addAll(config.additional());
        int next = encoder.size();
        for (AddedToken t : added.values()) {
            next = Math.max(next, t.id() + 1);
        }
        for (TokenizerConfig.TokenSpec t : specials) {
            if (added.containsKey(t.content())) {
                continue;
            }
            Integer id = encoder.get(t.content());
            if (id == null) {
                id = next++;
            }
            added.put(t.content(), new AddedToken(t.content(), id, t.lstrip(), t.rstrip(), true));
        }
        return added;
    }

    private static int requiredId(Object dir, Map<String, AddedToken> added, TokenizerConfig.TokenSpec t, String what) {
        if (t == null) {
            throw new TokenizerException(dir + ": the tokenizer config sets no " + what + ", which CLIP needs");
        }
        return added.get(t.content()).id();
    }

    /** {@code tokenizer.tokenize(text)}: the BPE pieces (added tokens as themselves), without BOS/EOS. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (AddedTokenSplitter.Piece piece : splitter.split(text)) {
            if (piece.token() != null) {
                out.add(piece.token().content());
            } else if (!piece.text().isEmpty()) {
                tokenizeText(piece.text(), out);
            }
        }
        return out;
    }

    /** CLIPTokenizer._tokenize (the ftfy-less branch). */
    private void tokenizeText(String text, List<String> out) {
        ClipPreTokenizer.split(BasicTokenizer.normalize(text), word -> {
            if (word.equals(BOS_TEXT) || word.equals(EOS_TEXT)) {
                out.add(word); // the reference's BPE cache is seeded with these two, unchanged
                return;
            }
            for (String piece : bpe.encode(ByteLevel.encode(word))) {
                out.add(piece);
            }
        });
    }

    /** The id of one piece: added tokens first, then the vocabulary, else the unk token. */
    public int tokenToId(String token) {
        AddedToken a = addedTokens.get(token);
        if (a != null) {
            return a.id();
        }
        Integer id = encoder.get(token);
        return id == null ? unkId : id;
    }

    /** {@code tokenizer(text).input_ids}: {@code [BOS] ids [EOS]}, no truncation, no padding. */
    public int[] encode(String text) {
        List<String> tokens = tokenize(text);
        int[] ids = new int[tokens.size() + 2];
        ids[0] = bosId;
        for (int i = 0; i < tokens.size(); i++) {
            ids[i + 1] = tokenToId(tokens.get(i));
        }
        ids[ids.length - 1] = eosId;
        return ids;
    }

    /**
     * {@code tokenizer(text, padding="max_length", max_length=maxLength, truncation=True).input_ids}, what diffusers
     * feeds the text encoders: {@code [BOS] first maxLength-2 ids [EOS]}, then the pad id up to {@code maxLength}.
     */
    public int[] encodePadded(String text, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for BOS and EOS");
        }
        int[] full = encode(text);
        int keep = Math.min(full.length - 2, maxLength - 2);
        int[] ids = new int[maxLength];
        Arrays.fill(ids, padId);
        ids[0] = bosId;
        System.arraycopy(full, 1, ids, 1, keep);
        ids[keep + 1] = eosId;
        return ids;
    }

    /** {@link #encodePadded(String, int)} at {@link #modelMaxLength()} (77 for every CLIP text encoder). */
    public int[] encodePadded(String text) {
        return encodePadded(text, modelMaxLength);
    }

    /** Number of tokens a prompt has without BOS/EOS (more than {@code modelMaxLength - 2} get truncated). */
    public int countTokens(String text) {
        return tokenize(text).size();
    }

    /** CLIPTokenizer.decode-like: ids back to text ({@code </w>} becomes a space; special tokens are kept). */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            String tok = id >= 0 && id < decoder.length ? decoder[id] : null;
            if (tok == null) {
                continue;
            }
            if (addedTokens.containsKey(tok)) {
                bytes.writeBytes(tok.getBytes(StandardCharsets.UTF_8));
                continue;
            }
            String text = tok.replace(BytePairEncoder.END_OF_WORD, " ");
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                int b = c == ' ' ? ' ' : ByteLevel.byteOf(c);
                if (b >= 0) {
                    bytes.write(b);
                }
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).strip();
    }

    public int bosTokenId() {
        return bosId;
    }

    public int eosTokenId() {
        return eosId;
    }

    public int padTokenId() {
        return padId;
    }

    public int unkTokenId() {
        return unkId;
    }

    public int modelMaxLength() {
        return modelMaxLength;
    }

    /** Size of {@code vocab.json} (49 408 for CLIP). */
    public int vocabSize() {
        return encoder.size();
    }

    /** The folder this tokenizer was loaded from. */
    /** The folder it was loaded from; null for one made with {@link #of}. */
    public Path dir() {
        return dir;
    }

    @Override
    public String toString() {
        return "ClipTokenizer[" + dir + ", vocab " + encoder.size() + ", pad " + padId + "]";
    }
}

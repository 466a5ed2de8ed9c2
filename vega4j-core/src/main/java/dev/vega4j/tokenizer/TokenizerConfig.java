package dev.vega4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.config.JsonErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What {@code tokenizer_config.json} and {@code special_tokens_map.json} say about special tokens and length. A token
 * may be written as a plain string or as an {@code AddedToken} object ({@code {"content": ..., "lstrip": ...}}).
 * Defaults are CLIPTokenizer's: bos {@code <|startoftext|>}, eos/unk/pad {@code <|endoftext|>}, length 77.
 *
 * @param addedTokensDecoder explicit {@code added_tokens_decoder} entries (id → token), empty for older folders
 */
record TokenizerConfig(TokenSpec bos, TokenSpec eos, TokenSpec unk, TokenSpec pad, List<TokenSpec> additional,
        Map<Integer, TokenSpec> addedTokensDecoder, int modelMaxLength) {

    /** Default {@code model_max_length} of CLIP text models (77 positions). */
    static final int CLIP_MAX_LENGTH = 77;

    /** One token as written in the config; {@code lstrip}/{@code rstrip} default to false. */
    record TokenSpec(String content, boolean lstrip, boolean rstrip, boolean special) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static TokenizerConfig read(Path dir) {
        return of(readJson(dir.resolve("tokenizer_config.json")), readJson(dir.resolve("special_tokens_map.json")),
                dir.resolve("tokenizer_config.json").toString());
    }

    /** From the two JSON objects (either may be empty); {@code source} names the config in messages. */
    static TokenizerConfig of(JsonNode cfg, JsonNode map, String source) {
        Map<Integer, TokenSpec> decoder = new java.util.TreeMap<>();
        JsonNode atd = cfg.get("added_tokens_decoder");
        if (atd != null && atd.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = atd.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                TokenSpec t = spec(e.getValue(), false);
                if (t != null) {
                    try {
                        decoder.put(Integer.parseInt(e.getKey()), t);
                    } catch (NumberFormatException ex) {
                        throw new TokenizerException(source + ": added_tokens_decoder key '" + e.getKey() + "' is not a token id");
                    }
                }
            }
        }
        List<TokenSpec> additional = new ArrayList<>();
        JsonNode add = pick(cfg, map, "additional_special_tokens");
        if (add != null && add.isArray()) {
            for (JsonNode a : add) {
                TokenSpec t = spec(a, true);
                if (t != null) {
                    additional.add(t);
                }
            }
        }
        JsonNode len = cfg.get("model_max_length");
        int maxLength = len != null && len.canConvertToInt() && len.asInt() > 0 ? len.asInt() : CLIP_MAX_LENGTH;
        return new TokenizerConfig(
                special(cfg, map, "bos_token", "<|startoftext|>"),
                special(cfg, map, "eos_token", "<|endoftext|>"),
                special(cfg, map, "unk_token", "<|endoftext|>"),
                special(cfg, map, "pad_token", "<|endoftext|>"),
                additional, decoder, maxLength);
    }

    private static TokenSpec special(JsonNode cfg, JsonNode map, String key, String dflt) {
        JsonNode n = pick(cfg, map, key);
        if (n == null) {
            return new TokenSpec(dflt, false, false, true);
        }
        return n.isNull() ? null : spec(n, true);
    }

    /** tokenizer_config.json first (its values are the init arguments), special_tokens_map.json otherwise. */
    private static JsonNode pick(JsonNode cfg, JsonNode map, String key) {
        JsonNode n = cfg.get(key);
        return n != null ? n : map.get(key);
    }

    private static TokenSpec spec(JsonNode n, boolean special) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return new TokenSpec(n.asText(), false, false, special);
        }
        JsonNode c = n.get("content");
        if (c == null || !c.isTextual()) {
            return null;
        }
        JsonNode sp = n.get("special");
        return new TokenSpec(c.asText(), n.path("lstrip").asBoolean(false), n.path("rstrip").asBoolean(false),
                sp == null ? special : sp.asBoolean(special));
    }

    private static JsonNode readJson(Path p) {
        if (!Files.isRegularFile(p)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(Files.readString(p));
            if (n == null || !n.isObject()) {
                throw new TokenizerException(p + ": expected a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new TokenizerException(p + ": not valid JSON: " + JsonErrors.describe(e), e);
        }
    }
}

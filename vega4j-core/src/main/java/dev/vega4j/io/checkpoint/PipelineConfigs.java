package dev.vega4j.io.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.VegaException;
import dev.vega4j.config.JsonErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON configs of a diffusers pipeline folder, without weights, keyed by their path in the folder
 * ({@code "unet/config.json"}, {@code "scheduler/scheduler_config.json"}, ...). A single-file checkpoint carries no
 * configs, so it is paired with either the bundled real-size configs of its {@link CheckpointVariant} or the configs
 * of a folder.
 */
public final class PipelineConfigs {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String MODEL_INDEX = "model_index.json";
    public static final String UNET = "unet/config.json";
    public static final String VAE = "vae/config.json";
    public static final String TEXT_ENCODER = "text_encoder/config.json";
    public static final String TEXT_ENCODER_2 = "text_encoder_2/config.json";
    public static final String SCHEDULER = "scheduler/scheduler_config.json";

    /** Every config file a pipeline folder may have (tokenizer vocabularies are not configs and are not included). */
    public static final List<String> FILES = List.of(MODEL_INDEX, UNET, VAE, TEXT_ENCODER, TEXT_ENCODER_2, SCHEDULER,
            "tokenizer/tokenizer_config.json", "tokenizer/special_tokens_map.json",
            "tokenizer_2/tokenizer_config.json", "tokenizer_2/special_tokens_map.json");

    private final Map<String, JsonNode> files;

    private PipelineConfigs(Map<String, JsonNode> files) {
        this.files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    public static PipelineConfigs of(Map<String, JsonNode> files) {
        return new PipelineConfigs(files);
    }

    /** The configs of a diffusers folder (those of {@link #FILES} that exist). */
    public static PipelineConfigs fromFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new VegaException("not a pipeline folder: " + dir);
        }
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (String f : FILES) {
            Path p = dir.resolve(f);
            if (Files.isRegularFile(p)) {
                try {
                    m.put(f, JSON.readTree(Files.readString(p)));
                } catch (IOException e) {
                    throw new VegaException(p + ": cannot read config: " + JsonErrors.describe(e), e);
                }
            }
        }
        if (!m.containsKey(UNET)) {
            throw new VegaException(dir + ": no " + UNET);
        }
        return new PipelineConfigs(m);
    }

    /** The real-size configs vega4j ships for a family (resources {@code dev/vega4j/configs/<id>/}). */
    public static PipelineConfigs bundled(CheckpointVariant variant) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (String f : FILES) {
            String res = "/dev/vega4j/configs/" + variant.id() + "/" + f;
            try (InputStream in = PipelineConfigs.class.getResourceAsStream(res)) {
                if (in != null) {
                    m.put(f, JSON.readTree(in));
                }
            } catch (IOException e) {
                throw new IllegalStateException("bundled config " + res + " is unreadable", e);
            }
        }
        if (!m.containsKey(UNET)) {
            throw new IllegalStateException("no bundled configs for " + variant);
        }
        return new PipelineConfigs(m);
    }

    /** The tokenizer files shipped with vega4j (resources {@code dev/vega4j/configs/clip/}). */
    public static final List<String> TOKENIZER_FILES = List.of("vocab.json", "merges.txt");

    /**
     * A bundled tokenizer file ({@code vocab.json} or {@code merges.txt}): OpenAI's public CLIP BPE vocabulary, which
     * both text encoders of every family here use (SDXL's {@code tokenizer_2} differs only in its pad token, set in
     * its {@code tokenizer_config.json}).
     */
    public static String bundledTokenizerFile(String name) {
        if (!TOKENIZER_FILES.contains(name)) {
            throw new IllegalArgumentException("no bundled tokenizer file " + name);
        }
        String res = "/dev/vega4j/configs/clip/" + name;
        try (InputStream in = PipelineConfigs.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("bundled tokenizer file " + res + " is missing from the jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("bundled tokenizer file " + res + " is unreadable", e);
        }
    }

    /** The config at {@code path}, or null. */
    public JsonNode json(String path) {
        return files.get(path);
    }

    public boolean has(String path) {
        return files.containsKey(path);
    }

    public Map<String, JsonNode> files() {
        return files;
    }

    /** A copy with one config replaced (or added). */
    public PipelineConfigs with(String path, JsonNode config) {
        Map<String, JsonNode> m = new LinkedHashMap<>(files);
        m.put(path, config);
        return new PipelineConfigs(m);
    }

    /** A copy with top-level keys of one config set (e.g. the UNet's {@code in_channels} of an inpainting model). */
    public PipelineConfigs withValues(String path, Map<String, Integer> values) {
        ObjectNode n = ((ObjectNode) required(path)).deepCopy();
        values.forEach(n::put);
        return with(path, n);
    }

    JsonNode required(String path) {
        JsonNode n = files.get(path);
        if (n == null || !n.isObject()) {
            throw new VegaException("pipeline configs have no " + path);
        }
        return n;
    }

    /** Writes the configs as a diffusers folder skeleton (no weights). */
    public void writeTo(Path dir) {
        try {
            for (Map.Entry<String, JsonNode> e : files.entrySet()) {
                Path p = dir.resolve(e.getKey());
                Files.createDirectories(p.getParent() == null ? dir : p.getParent());
                Files.writeString(p, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(e.getValue()) + "\n");
            }
        } catch (IOException e) {
            throw new VegaException(dir + ": cannot write configs: " + e.getMessage(), e);
        }
    }
}

package dev.vega4j.pipeline.folder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.config.JsonErrors;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.WeightFiles;
import dev.vega4j.io.WeightFilesException;
import dev.vega4j.tokenizer.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A diffusers pipeline folder ({@code DiffusionPipeline.save_pretrained} layout): {@code model_index.json} names the
 * pipeline class and its components, each in a subfolder of the same name with its config and, for models, weights.
 *
 * <p>Everything is checked when the folder is opened, so a missing component, config or weights file is reported at
 * once with the path and what to do, not halfway through loading a model. In {@link Options#configsOnly() configs-only}
 * mode weights and tokenizer vocabularies are not required (real-size configs without weights, parameter counting).
 *
 * <p>Typed configs: {@link #config(String, ConfigParser)} hands a component's JSON to a parser such as
 * {@code UNetConfig::fromJson}; the common ones have shortcuts ({@link #unetConfig()}, ...).
 */
public final class PipelineFolder {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String MODEL_INDEX = "model_index.json";

    /**
     * @param variant     weights variant such as {@code "fp16"} ({@code diffusion_pytorch_model.fp16.safetensors}),
     *                    or null for the plain files; a component that lacks the variant uses its plain files, and
     *                    without a variant a component whose only weights are one variant uses it (logged); see
     *                    {@link WeightFiles}
     * @param configsOnly do not require weights and tokenizer vocabularies
     */
    public record Options(String variant, boolean configsOnly) {
        public static final Options DEFAULT = new Options(null, false);
        public static final Options CONFIGS_ONLY = new Options(null, true);

        public Options {
            if (variant != null && (variant.isBlank() || variant.contains("/") || variant.contains("."))) {
                throw new IllegalArgumentException("variant must be a plain name such as \"fp16\", not '" + variant
                        + "'");
            }
        }

        public Options withVariant(String v) {
            return new Options(v, configsOnly);
        }
    }

    /** Parses a component's config JSON into a typed record; {@code source} names the file for messages. */
    @FunctionalInterface
    public interface ConfigParser<T> {
        T parse(JsonNode json, String source);
    }

    private final Path dir;
    private final Options options;
    private final JsonNode modelIndex;
    private final String className;
    private final Map<String, ComponentSpec> components;
    private final Map<String, Path> weights;
    private final Map<String, JsonNode> configs = new ConcurrentHashMap<>();

    private PipelineFolder(Path dir, Options options, JsonNode modelIndex, String className,
            Map<String, ComponentSpec> components, Map<String, Path> weights) {
        this.dir = dir;
        this.options = options;
        this.modelIndex = modelIndex;
        this.className = className;
        this.components = components;
        this.weights = weights;
    }

    /** Opens a folder with its plain (fp32) weights, or a component's only variant where it has no plain ones. */
    public static PipelineFolder open(Path dir) {
        return open(dir, Options.DEFAULT);
    }

    /** Opens a folder of configs without weights (e.g. real-size configs, to build or count a model). */
    public static PipelineFolder openConfigsOnly(Path dir) {
        return open(dir, Options.CONFIGS_ONLY);
    }

    public static PipelineFolder open(Path dir, Options options) {
        if (!Files.isDirectory(dir)) {
            throw new PipelineFolderException("pipeline folder " + dir + " does not exist or is not a directory");
        }
        Path indexFile = dir.resolve(MODEL_INDEX);
        if (!Files.isRegularFile(indexFile)) {
            throw new PipelineFolderException(dir + " is not a diffusers pipeline folder: " + MODEL_INDEX
                    + " is missing (download the whole repository, not single files)");
        }
        JsonNode index = readJson(indexFile);
        JsonNode cls = index.get("_class_name");
        if (cls == null || !cls.isTextual()) {
            throw new PipelineFolderException(indexFile + ": no \"_class_name\" naming the pipeline class");
        }
        Map<String, ComponentSpec> components = parseComponents(indexFile, index);
        Map<String, Path> weights = new LinkedHashMap<>();
        Map<String, WeightFiles.Found> guessed = new LinkedHashMap<>();
        for (ComponentSpec c : components.values()) {
            Path sub = dir.resolve(c.name());
            if (!Files.isDirectory(sub)) {
                throw new PipelineFolderException(MODEL_INDEX + " of " + dir + " lists component '" + c.name() + "' ("
                        + c.library() + " " + c.className() + ") but the folder " + sub + " is missing: download"
                        + " the complete pipeline repository");
            }
            checkFiles(sub, c, options);
            if (c.kind() == ComponentSpec.Kind.MODEL && !options.configsOnly()) {
                WeightFiles.Found found = weightsOf(sub, c, options);
                weights.put(c.name(), found.file());
                if (found.guessed()) {
                    guessed.put(c.name(), found);
                }
            }
        }
        WeightFiles.announce(dir.toString(), guessed);
        return new PipelineFolder(dir, options, index, cls.asText(), Collections.unmodifiableMap(components),
                Collections.unmodifiableMap(weights));
    }

    private static WeightFiles.Found weightsOf(Path sub, ComponentSpec c, Options options) {
        try {
            return WeightFiles.resolve(sub, c.isTransformers() ? WeightFiles.Library.TRANSFORMERS
                    : WeightFiles.Library.DIFFUSERS, options.variant(), "component '" + c.name() + "' ("
                    + c.className() + ")");
        } catch (WeightFilesException e) {
            throw new PipelineFolderException(e.getMessage() + (e.noWeights()
                    ? ", or open the pipeline folder in configs-only mode if weights are not needed" : ""), e);
        }
    }

    /** Components with a [library, class] entry; {@code [null, null]} entries (absent optional parts) are skipped. */
    private static Map<String, ComponentSpec> parseComponents(Path indexFile, JsonNode index) {
        Map<String, ComponentSpec> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = index.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.startsWith("_") || !v.isArray()) {
                continue; // _class_name, _diffusers_version, and plain pipeline options such as force_zeros_...
            }
            if (v.size() != 2) {
                throw new PipelineFolderException(indexFile + ": component '" + name
                        + "' must be [library, class], not " + v);
            }
            if (v.get(0).isNull() || v.get(1).isNull()) {
                continue;
            }
            if (!v.get(0).isTextual() || !v.get(1).isTextual()) {
                throw new PipelineFolderException(indexFile + ": component '" + name
                        + "' must be [library, class] strings, not " + v);
            }
            // NUL and other control characters included (found by fuzzing: an InvalidPathException escaped)
            if (name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".")
                    || name.isEmpty() || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw new PipelineFolderException(indexFile + ": component name '" + name + "' is not a folder name");
            }
            try {
                indexFile.resolveSibling(name);
            } catch (java.nio.file.InvalidPathException bad) {
                // found by fuzzing: a name the file system's encoding cannot express
                throw new PipelineFolderException(indexFile + ": component name '" + name
                        + "' is not a folder name on this system (" + bad.getReason() + ")");
            }
            out.put(name, ComponentSpec.of(name, v.get(0).asText(), v.get(1).asText()));
        }
        return out;
    }

    private static void checkFiles(Path sub, ComponentSpec c, Options options) {
        switch (c.kind()) {
            case MODEL, SCHEDULER -> requireFile(sub.resolve(c.configFileName()), c,
                    "the component's configuration is needed to build it");
            case TOKENIZER -> {
                if (!options.configsOnly()) {
                    for (String f : List.of("vocab.json", "merges.txt")) {
                        requireFile(sub.resolve(f), c, "a CLIP tokenizer needs vocab.json and merges.txt");
                    }
                }
            }
            case PROCESSOR -> {
                // Not used by vega4j (safety checker / IP-adapter inputs); nothing is required.
            }
        }
    }

    private static void requireFile(Path p, ComponentSpec c, String why) {
        if (!Files.isRegularFile(p)) {
            throw new PipelineFolderException("component '" + c.name() + "' (" + c.className() + "): " + p
                    + " is missing; " + why + " (download it from the model repository)");
        }
    }

    private static JsonNode readJson(Path p) {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readString(p));
        } catch (IOException e) {
            throw new PipelineFolderException(p + ": not valid JSON: " + JsonErrors.describe(e), e);
        }
        if (n == null || !n.isObject()) {
            throw new PipelineFolderException(p + ": expected a JSON object");
        }
        return n;
    }

    public Path dir() {
        return dir;
    }

    public Options options() {
        return options;
    }

    public boolean configsOnly() {
        return options.configsOnly();
    }

    /** {@code _class_name}, e.g. {@code StableDiffusionXLPipeline}. */
    public String className() {
        return className;
    }

    /** The whole {@code model_index.json} (pipeline options such as {@code force_zeros_for_empty_prompt}). */
    public JsonNode modelIndex() {
        return modelIndex;
    }

    /** Present components by name, in {@code model_index.json} order. */
    public Map<String, ComponentSpec> components() {
        return components;
    }

    public boolean has(String component) {
        return components.containsKey(component);
    }

    public ComponentSpec component(String name) {
        ComponentSpec c = components.get(name);
        if (c == null) {
            throw new PipelineFolderException(dir.resolve(MODEL_INDEX) + " has no component '" + name + "'"
                    + (components.isEmpty() ? "" : " (it has " + String.join(", ", components.keySet()) + ")"));
        }
        return c;
    }

    /** The subfolder of a component. */
    public Path componentDir(String name) {
        return dir.resolve(component(name).name());
    }

    /** A component's config JSON ({@code config.json}, {@code scheduler_config.json}, {@code tokenizer_config.json}). */
    public JsonNode config(String name) {
        ComponentSpec c = component(name);
        return configs.computeIfAbsent(name, n -> {
            Path p = componentDir(n).resolve(c.configFileName());
            if (!Files.isRegularFile(p)) {
                throw new PipelineFolderException("component '" + n + "': " + p + " is missing");
            }
            return readJson(p);
        });
    }

    /** A component's config as a typed record: {@code folder.config("unet", UNetConfig::fromJson)}. */
    public <T> T config(String name, ConfigParser<T> parser) {
        return parser.parse(config(name), configFile(name).toString());
    }

    /** The path of a component's config file. */
    public Path configFile(String name) {
        return componentDir(name).resolve(component(name).configFileName());
    }

    public UNetConfig unetConfig() {
        return config("unet", UNetConfig::fromJson);
    }

    public VaeConfig vaeConfig() {
        return config("vae", VaeConfig::fromJson);
    }

    /** {@code text_encoder} or {@code text_encoder_2}. */
    public ClipTextConfig textEncoderConfig(String name) {
        return config(name, ClipTextConfig::fromJson);
    }

    /** The weights file of a model component (single safetensors or a shard index); none in configs-only mode. */
    public Optional<Path> findWeights(String name) {
        component(name);
        return Optional.ofNullable(weights.get(name));
    }

    /** Like {@link #findWeights} but a missing file is an error that says why. */
    public Path weightsFile(String name) {
        ComponentSpec c = component(name);
        Path p = weights.get(name);
        if (p == null) {
            throw new PipelineFolderException(c.kind() != ComponentSpec.Kind.MODEL
                    ? "component '" + name + "' (" + c.className() + ") has no weights"
                    : dir + " was opened configs-only; open it with weights to load component '" + name + "'");
        }
        return p;
    }

    /** Opens a model component's weights (memory-mapped; close them when the model is built or discarded). */
    public SafetensorsWeights openWeights(String name) {
        return SafetensorsWeights.open(weightsFile(name));
    }

    /** Loads a tokenizer component ({@code tokenizer}, {@code tokenizer_2}). */
    public ClipTokenizer tokenizer(String name) {
        ComponentSpec c = component(name);
        if (c.kind() != ComponentSpec.Kind.TOKENIZER) {
            throw new PipelineFolderException("component '" + name + "' is a " + c.className() + ", not a tokenizer");
        }
        return ClipTokenizer.load(componentDir(name));
    }

    @Override
    public String toString() {
        return "PipelineFolder[" + dir + ", " + className + ", " + String.join(", ", components.keySet())
                + (options.configsOnly() ? ", configs only" : "") + (options.variant() != null
                ? ", variant " + options.variant() : "") + "]";
    }
}

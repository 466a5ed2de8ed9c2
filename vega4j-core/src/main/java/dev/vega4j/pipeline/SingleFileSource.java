package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.WeightFiles;
import dev.vega4j.io.Weights;
import dev.vega4j.io.checkpoint.CheckpointVariant;
import dev.vega4j.io.checkpoint.LdmVae;
import dev.vega4j.io.checkpoint.PipelineConfigs;
import dev.vega4j.io.checkpoint.SingleFileCheckpoint;
import dev.vega4j.tokenizer.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A single {@code .safetensors} file as a {@link PipelineSource}: a whole pipeline in the A1111 / ComfyUI (SGM/LDM)
 * layout ({@link SingleFileCheckpoint}), or only its UNet (SGM names, or diffusers names). Configs are the bundled
 * real-size ones of the detected family, or those of a diffusers folder ({@code configDir}), which then also supplies
 * what the file lacks (a UNet-only file takes the folder's VAE and text encoders) and its tokenizers. Without a folder
 * the tokenizers are the CLIP vocabulary bundled with vega4j.
 */
public final class SingleFileSource implements PipelineSource {
    private static final String BUNDLED_VOCABULARY = "vega4j's bundled CLIP vocabulary";

    private final Path file;
    private final Path configDir;
    private final SafetensorsWeights weights;
    private final SingleFileCheckpoint checkpoint; // null: a UNet-only file under diffusers names
    private final PipelineConfigs configs;
    private final Pipeline.Family family;
    private final List<SafetensorsWeights> opened = new ArrayList<>();

    private SingleFileSource(Path file, Path configDir, SafetensorsWeights weights, SingleFileCheckpoint checkpoint,
            PipelineConfigs configs, Pipeline.Family family) {
        this.file = file;
        this.configDir = configDir;
        this.weights = weights;
        this.checkpoint = checkpoint;
        this.configs = configs;
        this.family = family;
    }

    /**
     * Opens {@code file}; {@code configDir} (may be null) is a diffusers folder whose configs replace the bundled ones
     * (its weights are only read for components the file lacks).
     */
    public static SingleFileSource open(Path file, Path configDir) {
        if (!Files.isRegularFile(file)) {
            throw new VegaException("model file not found: " + file);
        }
        PipelineConfigs configs = configDir != null ? PipelineConfigs.fromFolder(configDir) : null;
        SafetensorsWeights w = SafetensorsWeights.open(file);
        try {
            var names = w.allNames();
            if (names.stream().anyMatch(n -> n.startsWith("model.diffusion_model."))) {
                SingleFileCheckpoint ckpt = SingleFileCheckpoint.of(w, configs);
                Pipeline.Family family = ckpt.variant().xl() ? Pipeline.Family.SDXL : Pipeline.Family.SD15;
                if (configs != null && familyOf(configs) != family) {
                    throw new VegaException(file + " is a " + describe(ckpt.variant()) + " checkpoint but the configs of "
                            + configDir + " are for " + familyOf(configs) + " (pass the configs of a matching model)");
                }
                return new SingleFileSource(file, configDir, w, ckpt, ckpt.configs(), family);
            }
            if (names.contains("conv_in.weight") && names.stream().anyMatch(n -> n.startsWith("down_blocks."))) {
                if (configs == null) {
                    throw new VegaException(file + " holds a UNet under diffusers names; pass the configs, VAE and text"
                            + " encoders of its model with --config FOLDER_OR_ID");
                }
                return new SingleFileSource(file, configDir, w, null, configs, familyOf(configs));
            }
            if (LdmVae.isLdmVae(names) || LdmVae.isDiffusersVae(names)) {
                throw new VegaException(file + " holds only a VAE, not a model: load it as the VAE of a model");
            }
            CheckpointVariant.detect(names, file.toString()); // throws, naming what the file holds
            throw new IllegalStateException("detect accepted a file without a UNet");
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    private static Pipeline.Family familyOf(PipelineConfigs configs) {
        JsonNode index = configs.json(PipelineConfigs.MODEL_INDEX);
        String cls = index == null ? "" : index.path("_class_name").asText("");
        return cls.startsWith("StableDiffusionXL") || configs.has(PipelineConfigs.TEXT_ENCODER_2)
                ? Pipeline.Family.SDXL : Pipeline.Family.SD15;
    }

    private static String describe(CheckpointVariant v) {
        return switch (v) {
            case SD15 -> "SD 1.5";
            case SDXL -> "SDXL";
            case SSD_1B -> "SSD-1B";
            case VEGA -> "Segmind Vega";
        };
    }

    /** The detected family, or null for a UNet-only file under diffusers names (its configs say). */
    public CheckpointVariant variant() {
        return checkpoint == null ? null : checkpoint.variant();
    }

    /** The configs in use (bundled or the folder's). */
    public PipelineConfigs configs() {
        return configs;
    }

    /** True when the component's weights are in the file itself (not taken from the config folder). */
    public boolean holds(String component) {
        return checkpoint != null ? checkpoint.has(component) : component.equals(UNET);
    }

    @Override
    public String name() {
        String n = file.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length())
                : n;
    }

    @Override
    public Pipeline.Family family() {
        return family;
    }

    @Override
    public boolean forceZerosForEmptyPrompt() {
        JsonNode index = configs.json(PipelineConfigs.MODEL_INDEX);
        return index == null || index.path("force_zeros_for_empty_prompt").asBoolean(true);
    }

    @Override
    public JsonNode config(String component) {
        String path = configPath(component);
        JsonNode n = configs.json(path);
        if (n == null) {
            throw new VegaException(configSource(component) + " is missing");
        }
        return n;
    }

    @Override
    public String configSource(String component) {
        String path = configPath(component);
        return configDir != null ? configDir.resolve(path).toString() : "bundled " + variant().id() + " " + path;
    }

    private static String configPath(String component) {
        return component.equals(SCHEDULER) ? PipelineConfigs.SCHEDULER : component + "/config.json";
    }

    @Override
    public synchronized Weights weights(String component) {
        if (holds(component)) {
            return checkpoint != null ? checkpoint.component(component) : weights;
        }
        if (configDir == null) {
            throw new VegaException(file + " holds no " + component + " (it has "
                    + (checkpoint != null ? checkpoint.components() : List.of(UNET)) + "): pass --config with a"
                    + " diffusers folder or Hub repo of the model that has its " + component + "/");
        }
        Path p = WeightFiles.resolveModel(configDir.resolve(component), component.startsWith("text_encoder")
                ? WeightFiles.Library.TRANSFORMERS : WeightFiles.Library.DIFFUSERS, "component '" + component + "'");
        SafetensorsWeights w = SafetensorsWeights.open(p);
        opened.add(w);
        return w;
    }

    @Override
    public ClipTokenizer tokenizer(String name) {
        if (configDir != null && Files.isRegularFile(configDir.resolve(name).resolve("vocab.json"))) {
            return ClipTokenizer.load(configDir.resolve(name));
        }
        return ClipTokenizer.of(BUNDLED_VOCABULARY, PipelineConfigs.bundledTokenizerFile("vocab.json"),
                PipelineConfigs.bundledTokenizerFile("merges.txt"), configs.json(name + "/tokenizer_config.json"),
                configs.json(name + "/special_tokens_map.json"));
    }

    @Override
    public synchronized void close() {
        opened.forEach(SafetensorsWeights::close);
        opened.clear();
        weights.close();
    }
}

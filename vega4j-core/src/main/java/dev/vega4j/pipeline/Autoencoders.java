package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.hub.DownloadListener;
import dev.vega4j.hub.HubCache;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.models.vae.AutoencoderTiny;
import dev.vega4j.config.VaeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads an autoencoder to swap into a pipeline ({@code vega generate --vae}, diffusers'
 * {@code AutoencoderKL/AutoencoderTiny.from_pretrained}): a diffusers model folder ({@code config.json} + weights), a
 * pipeline folder's {@code vae/}, or a Hugging Face repo id of either; the class comes from {@code _class_name}.
 */
public final class Autoencoders {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Autoencoders() {}

    public static LatentAutoencoder load(String idOrPath) {
        return load(idOrPath, DownloadListener.NONE);
    }

    public static LatentAutoencoder load(String idOrPath, DownloadListener listener) {
        return load(idOrPath, listener, null);
    }

    /**
     * Like {@link #load(String, DownloadListener)}; a VAE-only single file ({@code sdxl_vae.safetensors}, LDM or
     * diffusers names) is read with {@code singleFileConfig}, the config of the VAE it replaces (such a file carries
     * none; A1111 and ComfyUI likewise take the architecture from the model).
     */
    public static LatentAutoencoder load(String idOrPath, DownloadListener listener, VaeConfig singleFileConfig) {
        if (idOrPath == null || idOrPath.isBlank()) {
            throw new VegaException("no autoencoder given");
        }
        Path p = HubCache.fromEnvironment().resolveModel(idOrPath.strip(), listener);
        if (Files.isRegularFile(p)) {
            if (singleFileConfig == null) {
                throw new VegaException(idOrPath + " is a single file: a stand-alone VAE file needs the config of "
                        + "an AutoencoderKL to replace (use it with a model whose VAE is an AutoencoderKL), or pass "
                        + "a diffusers folder (config.json + diffusion_pytorch_model.safetensors) or a Hugging Face "
                        + "repo id");
            }
            return new VaeLatentAutoencoder(AutoencoderKL.fromSingleFile(p, singleFileConfig));
        }
        return loadFolder(p);
    }

    /** A diffusers autoencoder folder, or a pipeline folder (its {@code vae/}). */
    public static LatentAutoencoder loadFolder(Path dir) {
        Path folder = !Files.isRegularFile(dir.resolve("config.json")) && Files.isDirectory(dir.resolve("vae"))
                ? dir.resolve("vae") : dir;
        Path config = folder.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new VegaException(dir + " is not a diffusers autoencoder folder (no config.json)");
        }
        String cls = className(config);
        return switch (cls) {
            case "AutoencoderKL" -> new VaeLatentAutoencoder(AutoencoderKL.load(folder));
            case "AutoencoderTiny" -> new TinyLatentAutoencoder(AutoencoderTiny.load(folder));
            default -> throw new VegaException(config + ": _class_name '" + cls + "' is not an autoencoder vega4j "
                    + "loads (AutoencoderKL, AutoencoderTiny)");
        };
    }

    private static String className(Path config) {
        try {
            JsonNode root = JSON.readTree(config.toFile());
            return root.path("_class_name").asText("");
        } catch (IOException e) {
            throw new VegaException(config + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}

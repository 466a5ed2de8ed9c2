package dev.vega4j.pipeline;

import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.models.vae.AutoencoderKL;
import java.nio.file.Path;

/**
 * Loads a diffusers pipeline folder ({@code model_index.json} + component folders) into a {@link DiffusionPipeline}:
 * tokenizer(s) and text encoder(s), the UNet, the VAE (float32) and the scheduler config. Weights are read once into
 * the models (fp16 files are upcast on load); no second copy is kept.
 */
public final class PipelineLoader {
    private PipelineLoader() {}

    public static DiffusionPipeline load(Path dir) {
        ModelIndex index = ModelIndex.read(dir);
        PromptEncoder prompts = PromptEncoders.load(index);
        Path unetDir = index.component("unet");
        UNet2DConditionModel unet;
        try (SafetensorsWeights w = SafetensorsWeights.open(WeightFiles.find(unetDir, "diffusion_pytorch_model"))) {
            unet = UNet2DConditionModel.create(UNetConfig.load(unetDir.resolve("config.json")), w);
        }
        Path vaeDir = index.component("vae");
        AutoencoderKL vae;
        try (SafetensorsWeights w = SafetensorsWeights.open(WeightFiles.find(vaeDir, "diffusion_pytorch_model"))) {
            vae = AutoencoderKL.create(VaeConfig.load(vaeDir.resolve("config.json")), w);
        }
        SchedulerProvider schedulers = ModelSchedulers.load(index.component("scheduler"));
        int side = unet.sampleSize() * vae.scaleFactor();
        Pipeline.ModelInfo info = new Pipeline.ModelInfo(modelName(dir), index.family(), side, side,
                schedulers.create(null).name());
        return new DiffusionPipeline(info, prompts, unet, vae, schedulers, null);
    }

    /**
     * A readable model name: the repo name for a Hugging Face cache snapshot
     * ({@code models--segmind--Segmind-Vega/snapshots/<hash>} gives {@code Segmind-Vega}), else the folder name.
     */
    static String modelName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("snapshots")
                && parent.getParent() != null) {
            String repo = parent.getParent().getFileName().toString();
            if (repo.startsWith("models--")) {
                String[] parts = repo.substring("models--".length()).split("--");
                return parts[parts.length - 1];
            }
        }
        return abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    }
}

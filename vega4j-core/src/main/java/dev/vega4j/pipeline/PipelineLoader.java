package dev.vega4j.pipeline;

import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.tensor.JitWarmup;
import java.nio.file.Path;

/**
 * Loads a diffusers pipeline folder ({@code model_index.json} + component folders) or a single-file checkpoint (any
 * {@link PipelineSource}) into a {@link DiffusionPipeline}:
 * tokenizer(s) and text encoder(s), the UNet, the VAE and the scheduler config. Large layer weights stay memory-mapped
 * in their file's dtype ({@link dev.vega4j.io.WeightResidency}, read to float32 while packed); everything else is
 * read once into heap float32. The files are closed after loading (mapped weights keep their own mapping).
 */
public final class PipelineLoader {
    private PipelineLoader() {}

    /**
     * Plain (fp32) weights where a component has them, else its only variant (a Hugging Face download keeps just the
     * fp16 files); see {@link dev.vega4j.io.WeightFiles}.
     */
    public static DiffusionPipeline load(Path dir) {
        return load(PipelineFolder.open(dir));
    }

    public static DiffusionPipeline load(PipelineFolder folder) {
        try (FolderSource source = new FolderSource(folder)) {
            return load(source);
        }
    }

    /** Builds the pipeline from a folder or a single-file checkpoint; the caller closes {@code source} afterwards. */
    public static DiffusionPipeline load(PipelineSource source) {
        JitWarmup.startInBackground(); // C2 compiles the kernels while the weights load, not in the first step
        PromptEncoder prompts = PromptEncoders.load(source);
        UNet2DConditionModel unet = UNet2DConditionModel.create(
                UNetConfig.fromJson(source.config(PipelineSource.UNET), source.configSource(PipelineSource.UNET)),
                source.weights(PipelineSource.UNET));
        AutoencoderKL vae = AutoencoderKL.create(
                VaeConfig.fromJson(source.config(PipelineSource.VAE), source.configSource(PipelineSource.VAE)),
                source.weights(PipelineSource.VAE));
        SchedulerProvider schedulers = new ModelSchedulers(source.config(PipelineSource.SCHEDULER));
        int side = unet.config().sampleSize() * vae.scaleFactor();
        Pipeline.ModelInfo info = new Pipeline.ModelInfo(source.name(), source.family(), side, side,
                schedulers.create(null).name());
        return new DiffusionPipeline(info, prompts, new UNetNoisePredictor(unet), new VaeLatentAutoencoder(vae),
                schedulers, null);
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

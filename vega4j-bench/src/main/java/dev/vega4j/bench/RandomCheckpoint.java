package dev.vega4j.bench;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.io.DType;
import dev.vega4j.io.Weights;
import dev.vega4j.io.checkpoint.CheckpointVariant;
import dev.vega4j.io.checkpoint.PipelineConfigs;
import dev.vega4j.io.checkpoint.SingleFileWriter;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.models.vae.AutoencoderKL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real-size single-file checkpoint of seeded random weights ({@link RandomWeights}' values) for a family's bundled
 * configs: what a downloaded A1111 / ComfyUI file looks like, without downloading one. Written tensor by tensor, so
 * the model is never on the heap (Segmind Vega in fp16 is about 3.3 GB on disk).
 */
public final class RandomCheckpoint {
    private RandomCheckpoint() {}

    public static void write(CheckpointVariant family, Path file, DType dtype, long seed) {
        PipelineConfigs cfg = PipelineConfigs.bundled(family);
        Map<String, Weights> components = new LinkedHashMap<>();
        components.put("unet", RandomWeights.lazy(UNet2DConditionModel.parameterShapes(
                UNetConfig.fromJson(cfg.json(PipelineConfigs.UNET), "bundled unet")), seed, "random UNet"));
        components.put("vae", RandomWeights.lazy(AutoencoderKL.parameterShapes(
                VaeConfig.fromJson(cfg.json(PipelineConfigs.VAE), "bundled vae")), seed + 1, "random VAE"));
        components.put("text_encoder", RandomWeights.lazy(ClipShapes.of(ClipTextConfig.fromJson(
                cfg.json(PipelineConfigs.TEXT_ENCODER), "bundled text_encoder")), seed + 2, "random text encoder"));
        if (family.xl()) {
            components.put("text_encoder_2", RandomWeights.lazy(ClipShapes.of(ClipTextConfig.fromJson(
                    cfg.json(PipelineConfigs.TEXT_ENCODER_2), "bundled text_encoder_2")), seed + 3,
                    "random text encoder 2"));
        }
        SingleFileWriter.write(file, cfg, components, dtype);
    }
}

package dev.vega4j.pipeline;

import java.nio.file.Path;

/** Placeholder until the UNet, VAE and schedulers land. */
public final class PipelineLoader {
    private PipelineLoader() {}

    public static DiffusionPipeline load(Path dir) {
        throw new UnsupportedOperationException("UNet/VAE/scheduler not available yet");
    }
}

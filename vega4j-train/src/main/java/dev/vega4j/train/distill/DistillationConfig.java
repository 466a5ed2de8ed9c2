package dev.vega4j.train.distill;

import java.nio.file.Path;

/**
 * Everything one distillation run needs (the {@code vega distill train} options), so another driver (a distributed
 * engine) can build the same run.
 *
 * @param teacher        teacher pipeline folder (text encoders, VAE, scheduler config and the teacher UNet)
 * @param student        student pipeline folder ({@code vega distill prune} output), the starting weights
 * @param data           a prompts file (one per line) or a folder of images with same-named {@code .txt} captions
 * @param out            output pipeline folder: the trained student UNet, plus {@code training/} state
 * @param steps          total optimizer steps (a resumed run continues up to this)
 * @param lambdaOut      weight of MSE(student output, teacher output)
 * @param lambdaFeat     weight of Σ MSE(student feature, teacher feature)
 * @param latentSize     latent height = width used for prompt-only data (random latents)
 * @param checkpointEvery write a checkpoint every this many steps (and at the end)
 */
public record DistillationConfig(Path teacher, Path student, Path data, Path out, int steps, double lr, int batch,
        double lambdaOut, double lambdaFeat, long seed, boolean resume, int warmupSteps, double weightDecay,
        double maxGradNorm, int latentSize, int checkpointEvery, boolean gradientCheckpointing) {

    /** distill_sdxl.py's defaults (λ_out = λ_feat = 0.5, lr 1e-4, constant LR) with batch 1 and 8x8 latents. */
    public static DistillationConfig defaults(Path teacher, Path student, Path data, Path out, int steps) {
        return new DistillationConfig(teacher, student, data, out, steps, 1e-4, 1, 0.5, 0.5, 0, false, 0, 1e-2, 1.0,
                8, 100, false);
    }

    public DistillationConfig withSteps(int n) {
        return new DistillationConfig(teacher, student, data, out, n, lr, batch, lambdaOut, lambdaFeat, seed, resume,
                warmupSteps, weightDecay, maxGradNorm, latentSize, checkpointEvery, gradientCheckpointing);
    }

    public DistillationConfig withResume(boolean r) {
        return new DistillationConfig(teacher, student, data, out, steps, lr, batch, lambdaOut, lambdaFeat, seed, r,
                warmupSteps, weightDecay, maxGradNorm, latentSize, checkpointEvery, gradientCheckpointing);
    }

    public DistillationConfig withLr(double v) {
        return new DistillationConfig(teacher, student, data, out, steps, v, batch, lambdaOut, lambdaFeat, seed, resume,
                warmupSteps, weightDecay, maxGradNorm, latentSize, checkpointEvery, gradientCheckpointing);
    }
}

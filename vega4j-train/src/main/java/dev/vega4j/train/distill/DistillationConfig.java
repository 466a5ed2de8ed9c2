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
 * @param latentSize     latent height = width of the training latents (teacher resolution for prompt-only data)
 * @param checkpointEvery write a checkpoint every this many steps (and at the end)
 * @param latents        x0 of prompt-only data: teacher-generated (cached) or N(0, 1)
 * @param teacherSteps   sampling steps of the teacher when it generates the latents
 */
public record DistillationConfig(Path teacher, Path student, Path data, Path out, int steps, double lr, int batch,
        double lambdaOut, double lambdaFeat, long seed, boolean resume, int warmupSteps, double weightDecay,
        double maxGradNorm, int latentSize, int checkpointEvery, boolean gradientCheckpointing, LatentSource latents,
        int teacherSteps) {

    /** Teacher sampling steps when none are given: enough for a recognisable image with the Euler schedulers. */
    public static final int DEFAULT_TEACHER_STEPS = 20;

    /** The same run with teacher-generated latents ({@link #DEFAULT_TEACHER_STEPS} steps) for prompt-only data. */
    public DistillationConfig(Path teacher, Path student, Path data, Path out, int steps, double lr, int batch,
            double lambdaOut, double lambdaFeat, long seed, boolean resume, int warmupSteps, double weightDecay,
            double maxGradNorm, int latentSize, int checkpointEvery, boolean gradientCheckpointing) {
        this(teacher, student, data, out, steps, lr, batch, lambdaOut, lambdaFeat, seed, resume, warmupSteps,
                weightDecay, maxGradNorm, latentSize, checkpointEvery, gradientCheckpointing, LatentSource.TEACHER,
                DEFAULT_TEACHER_STEPS);
    }

    /** distill_sdxl.py's defaults (λ_out = λ_feat = 0.5, lr 1e-4, constant LR) with batch 1 and 8x8 latents. */
    public static DistillationConfig defaults(Path teacher, Path student, Path data, Path out, int steps) {
        return new DistillationConfig(teacher, student, data, out, steps, 1e-4, 1, 0.5, 0.5, 0, false, 0, 1e-2, 1.0,
                8, 100, false);
    }

    public DistillationConfig withSteps(int n) {
        return new DistillationConfig(teacher, student, data, out, n, lr, batch, lambdaOut, lambdaFeat, seed, resume,
                warmupSteps, weightDecay, maxGradNorm, latentSize, checkpointEvery, gradientCheckpointing, latents,
                teacherSteps);
    }

    public DistillationConfig withResume(boolean r) {
        return new DistillationConfig(teacher, student, data, out, steps, lr, batch, lambdaOut, lambdaFeat, seed, r,
                warmupSteps, weightDecay, maxGradNorm, latentSize, checkpointEvery, gradientCheckpointing, latents,
                teacherSteps);
    }

    public DistillationConfig withLatents(LatentSource src, int nSteps) {
        return new DistillationConfig(teacher, student, data, out, steps, lr, batch, lambdaOut, lambdaFeat, seed, resume,
                warmupSteps, weightDecay, maxGradNorm, latentSize, checkpointEvery, gradientCheckpointing, src, nSteps);
    }

    public DistillationConfig withLr(double v) {
        return new DistillationConfig(teacher, student, data, out, steps, v, batch, lambdaOut, lambdaFeat, seed, resume,
                warmupSteps, weightDecay, maxGradNorm, latentSize, checkpointEvery, gradientCheckpointing, latents,
                teacherSteps);
    }
}

package dev.vega4j.train.distill;

import java.nio.file.Path;

/**
 * Everything one distillation run needs (the {@code vega distill train} options), so another driver (a distributed
 * engine) can build the same run. Build with {@link #builder()}: named setters starting from distill_sdxl.py's
 * defaults (λ_out = λ_feat = 0.5, lr 1e-4, constant LR) with batch 1 and 8x8 latents, the CLI's defaults too; the
 * folders and the step count have none.
 *
 * @param teacher              teacher pipeline folder (text encoders, VAE, scheduler config and the teacher UNet)
 *                             (required)
 * @param student              student pipeline folder ({@code vega distill prune} output), the starting weights
 *                             (required)
 * @param data                 a prompts file (one per line) or a folder of images with same-named {@code .txt}
 *                             captions (required)
 * @param out                  output pipeline folder: the trained student UNet, plus {@code training/} state (required)
 * @param steps                total optimizer steps (a resumed run continues up to this) (required)
 * @param lr                   AdamW learning rate, default 1e-4 (constant after the warm-up)
 * @param batch                examples per step, default 1
 * @param lambdaOut            weight of MSE(student output, teacher output), default 0.5
 * @param lambdaFeat           weight of Σ MSE(student feature, teacher feature), default 0.5
 * @param seed                 seed of the examples, noise and timesteps of every step, default 0
 * @param resume               continue from the checkpoint in {@code out}, default false
 * @param warmupSteps          linear LR warm-up steps, default 0
 * @param weightDecay          AdamW weight decay, default 1e-2
 * @param maxGradNorm          gradient clipping norm, default 1.0
 * @param latentSize           latent height = width of the training latents (teacher resolution for prompt-only
 *                             data), default 8
 * @param checkpointEvery      write a checkpoint every this many steps (and at the end), default 100
 * @param gradientCheckpointing recompute activations in backward instead of keeping them, default false
 * @param latents              x0 of prompt-only data: teacher-generated (cached) or N(0, 1), default teacher
 * @param teacherSteps         sampling steps of the teacher when it generates the latents, default
 *                             {@link #DEFAULT_TEACHER_STEPS}
 */
public record DistillationConfig(Path teacher, Path student, Path data, Path out, int steps, double lr, int batch,
        double lambdaOut, double lambdaFeat, long seed, boolean resume, int warmupSteps, double weightDecay,
        double maxGradNorm, int latentSize, int checkpointEvery, boolean gradientCheckpointing, LatentSource latents,
        int teacherSteps) {

    /** Teacher sampling steps when none are given: enough for a recognisable image with the Euler schedulers. */
    public static final int DEFAULT_TEACHER_STEPS = 20;

    /** A builder holding the defaults; teacher, student, data, out and steps must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults for the given folders and step count. */
    public static DistillationConfig defaults(Path teacher, Path student, Path data, Path out, int steps) {
        return builder().teacher(teacher).student(student).data(data).out(out).steps(steps).build();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return builder().teacher(teacher).student(student).data(data).out(out).steps(steps).lr(lr).batch(batch)
                .lambdaOut(lambdaOut).lambdaFeat(lambdaFeat).seed(seed).resume(resume).warmupSteps(warmupSteps)
                .weightDecay(weightDecay).maxGradNorm(maxGradNorm).latentSize(latentSize)
                .checkpointEvery(checkpointEvery).gradientCheckpointing(gradientCheckpointing).latents(latents)
                .teacherSteps(teacherSteps);
    }

    public DistillationConfig withSteps(int n) {
        return toBuilder().steps(n).build();
    }

    public DistillationConfig withResume(boolean r) {
        return toBuilder().resume(r).build();
    }

    public DistillationConfig withLatents(LatentSource src, int nSteps) {
        return toBuilder().latents(src).teacherSteps(nSteps).build();
    }

    public DistillationConfig withLr(double v) {
        return toBuilder().lr(v).build();
    }

    /** Named setters; unset ones keep the defaults listed on {@link DistillationConfig}. */
    public static final class Builder {
        private Path teacher;
        private Path student;
        private Path data;
        private Path out;
        private int steps = -1; // required
        private double lr = 1e-4;
        private int batch = 1;
        private double lambdaOut = 0.5;
        private double lambdaFeat = 0.5;
        private long seed;
        private boolean resume;
        private int warmupSteps;
        private double weightDecay = 1e-2;
        private double maxGradNorm = 1.0;
        private int latentSize = 8;
        private int checkpointEvery = 100;
        private boolean gradientCheckpointing;
        private LatentSource latents = LatentSource.TEACHER;
        private int teacherSteps = DEFAULT_TEACHER_STEPS;

        private Builder() {}

        public Builder teacher(Path teacher) {
            this.teacher = teacher;
            return this;
        }

        public Builder student(Path student) {
            this.student = student;
            return this;
        }

        public Builder data(Path data) {
            this.data = data;
            return this;
        }

        public Builder out(Path out) {
            this.out = out;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        public Builder batch(int batch) {
            this.batch = batch;
            return this;
        }

        public Builder lambdaOut(double lambdaOut) {
            this.lambdaOut = lambdaOut;
            return this;
        }

        public Builder lambdaFeat(double lambdaFeat) {
            this.lambdaFeat = lambdaFeat;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder maxGradNorm(double maxGradNorm) {
            this.maxGradNorm = maxGradNorm;
            return this;
        }

        public Builder latentSize(int latentSize) {
            this.latentSize = latentSize;
            return this;
        }

        public Builder checkpointEvery(int checkpointEvery) {
            this.checkpointEvery = checkpointEvery;
            return this;
        }

        public Builder gradientCheckpointing(boolean gradientCheckpointing) {
            this.gradientCheckpointing = gradientCheckpointing;
            return this;
        }

        public Builder latents(LatentSource latents) {
            this.latents = latents;
            return this;
        }

        public Builder teacherSteps(int teacherSteps) {
            this.teacherSteps = teacherSteps;
            return this;
        }

        /** @throws IllegalStateException when teacher, student, data, out or steps is not set */
        public DistillationConfig build() {
            if (teacher == null || student == null || data == null || out == null || steps < 0) {
                throw new IllegalStateException("a distillation run needs teacher, student, data, out and steps");
            }
            return new DistillationConfig(teacher, student, data, out, steps, lr, batch, lambdaOut, lambdaFeat, seed,
                    resume, warmupSteps, weightDecay, maxGradNorm, latentSize, checkpointEvery, gradientCheckpointing,
                    latents, teacherSteps);
        }
    }
}

package dev.vega4j.cli;

import dev.vega4j.train.distill.DistillationConfig;
import dev.vega4j.train.distill.DistillationTrainer;
import dev.vega4j.train.distill.LatentSource;
import dev.vega4j.train.distill.LossTerms;
import dev.vega4j.train.distill.PruneRecipe;
import dev.vega4j.train.distill.StudentPruner;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vega distill}: Segmind-style layer-level knowledge distillation of a block-pruned student UNet. */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Build a pruned student UNet from a teacher and distill it (arXiv 2401.02677).",
        subcommands = {DistillCommand.Prune.class, DistillCommand.Train.class})
final class DistillCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Write a student pipeline folder: fewer transformer blocks per level, mid block = one resnet.")
    static final class Prune implements Callable<Integer> {
        @Option(names = "--teacher", required = true, description = "Teacher diffusers pipeline folder.")
        Path teacher;

        @Option(names = "--recipe", defaultValue = "vega", description = "vega | halve | ssd1b | custom (default vega).")
        String recipe;

        @Option(names = "--transformer-layers", description = "custom: depths per level, e.g. 0,1,2.")
        String layers;

        @Option(names = "--keep-mid", description = "custom: keep the teacher's mid block.")
        boolean keepMid;

        @Option(names = "--out", required = true, description = "Output pipeline folder.")
        Path out;

        @Override
        public Integer call() {
            int[] depths = StudentPruner.teacherDepths(teacher);
            PruneRecipe r = PruneRecipe.of(recipe, depths, layers, !keepMid);
            StudentPruner.Result res = StudentPruner.prune(teacher, r, out);
            System.out.printf(Locale.ROOT, "student written to %s: transformer_layers_per_block %s, mid %s, UNet %,d"
                    + " -> %,d parameters (%.1f%%)%n", out, java.util.Arrays.toString(r.transformerLayers()),
                    res.studentConfig().midBlockType(), res.teacherParams(), res.studentParams(),
                    100.0 * res.studentParams() / res.teacherParams());
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Distill the student from the teacher (task + output + feature losses).")
    static final class Train implements Callable<Integer> {
        @Option(names = "--teacher", required = true) Path teacher;
        @Option(names = "--student", required = true) Path student;
        @Option(names = "--data", required = true, description = "prompts.txt, a folder of images + .txt captions, or a folder"
                + " of teacher latents (vega batch --latents: its output folder or its latents/).")
        Path data;
        @Option(names = "--steps", required = true) int steps;
        @Option(names = "--out", required = true) Path out;
        @Option(names = "--lr", defaultValue = "1e-4") double lr;
        @Option(names = "--batch", defaultValue = "1") int batch;
        @Option(names = "--lambda-out", defaultValue = "0.5") double lambdaOut;
        @Option(names = "--lambda-feat", defaultValue = "0.5") double lambdaFeat;
        @Option(names = "--seed", defaultValue = "0") long seed;
        @Option(names = "--resume", description = "Continue from the checkpoint in --out.") boolean resume;
        @Option(names = "--warmup", defaultValue = "0", description = "LR warm-up steps.") int warmup;
        @Option(names = "--weight-decay", defaultValue = "1e-2") double weightDecay;
        @Option(names = "--max-grad-norm", defaultValue = "1.0") double maxGradNorm;
        @Option(names = "--latent-size", defaultValue = "8",
                description = "Latent h = w (training resolution = this x the VAE factor).")
        int latentSize;
        @Option(names = "--latents", defaultValue = "teacher", description = "x0 of prompt-only data: teacher"
                + " (generated once per prompt by the teacher, cached in OUT/training/teacher_latents.safetensors)"
                + " or random (N(0, 1)). Default teacher.")
        String latents;
        @Option(names = "--teacher-steps", defaultValue = "20",
                description = "Teacher sampling steps for --latents teacher (default 20).")
        int teacherSteps;
        @Option(names = "--checkpoint-every", defaultValue = "100") int checkpointEvery;
        @Option(names = "--gradient-checkpointing") boolean gradientCheckpointing;
        @Option(names = "--eval-prompts", description = "Held-out prompts file: report the loss terms before/after.")
        Path evalPrompts;

        @Override
        public Integer call() throws Exception {
            DistillationConfig c = DistillationConfig.builder()
                    .teacher(teacher)
                    .student(student)
                    .data(data)
                    .out(out)
                    .steps(steps)
                    .lr(lr)
                    .batch(batch)
                    .lambdaOut(lambdaOut)
                    .lambdaFeat(lambdaFeat)
                    .seed(seed)
                    .resume(resume)
                    .warmupSteps(warmup)
                    .weightDecay(weightDecay)
                    .maxGradNorm(maxGradNorm)
                    .latentSize(latentSize)
                    .checkpointEvery(checkpointEvery)
                    .gradientCheckpointing(gradientCheckpointing)
                    .latents(LatentSource.parse(latents))
                    .teacherSteps(teacherSteps)
                    .build();
            DistillationTrainer t = new DistillationTrainer(c);
            PrintStream out0 = System.err;
            t.prepareLatents((done, total) -> {
                out0.printf(Locale.ROOT, "\rteacher latents %d/%d", done, total);
                if (done == total) {
                    out0.println();
                }
            });
            List<String> held = evalPrompts == null ? null
                    : Files.readAllLines(evalPrompts).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
            PrintStream err = System.err;
            if (held != null) {
                err.println("held-out before: " + t.evaluate(held, 4, 1234).format());
            }
            long start = System.nanoTime();
            int first = t.step();
            t.train((step, total, loss, rate) -> {
                double secs = (System.nanoTime() - start) / 1e9 / Math.max(1, step - first);
                int w = 24, done = (int) ((long) w * step / Math.max(1, total));
                err.printf(Locale.ROOT, "\r%5d/%d [%s%s] %s lr %.1e %.2fs/it", step, total, "#".repeat(done),
                        " ".repeat(w - done), loss.format(), rate, secs);
                if (step == total) {
                    err.println();
                }
            });
            if (held != null) {
                LossTerms after = t.evaluate(held, 4, 1234);
                err.println("held-out after:  " + after.format());
            }
            System.out.println("trained student written to " + out + " (step " + t.step() + ")");
            return 0;
        }
    }
}

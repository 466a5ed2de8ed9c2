package dev.vega4j.train.distill;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.VegaException;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.io.WeightFiles;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.pipeline.PromptEmbeddings;
import dev.vega4j.pipeline.PromptEncoder;
import dev.vega4j.pipeline.PromptEncoders;
import dev.vega4j.pipeline.VaeImageProcessor;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.schedulers.DDPMScheduler;
import dev.vega4j.schedulers.SchedulerConfig;
import dev.vega4j.schedulers.SchedulerType;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.train.autograd.Autograd;
import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;
import dev.vega4j.train.nn.TrainableUNet;
import dev.vega4j.train.optim.AdamW;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Layer-level knowledge distillation of a pruned student UNet from its teacher, after Segmind's
 * {@code distill_sdxl.py} (github segmind/SSD-1B; arXiv 2401.02677): DDPM training noise (epsilon target,
 * {@code add_noise} with the teacher's scheduler betas, t ~ U{0..T−1}), SDXL micro-conditioning time ids, and
 * {@code loss = MSE(s, ε) + λ_out · MSE(s, teacher) + λ_feat · Σ MSE(s_feat, teacher_feat)} over every down/up
 * resnet, every attention (Transformer2DModel) output and the mid block output — the layers the script hooks.
 *
 * <p>The teacher runs through the fast inference UNet; the student is a {@link TrainableUNet} with fp32 master
 * weights, AdamW, global-norm clipping and LR warm-up. Checkpoints are a diffusers pipeline folder ({@code out/})
 * plus {@code out/training/} (optimizer moments, step, loss log), all written atomically, so a run resumes exactly
 * (batches, noise and timesteps are derived from (seed, step)).
 */
public final class DistillationTrainer {
    /** Progress of a run, e.g. a console progress bar. */
    @FunctionalInterface
    public interface Listener {
        void onStep(int step, int total, LossTerms loss, double lr);
    }

    private static final Pattern HOOKED = Pattern.compile(
            "(down_blocks|up_blocks)\\.\\d+\\.(resnets|attentions)\\.\\d+|mid_block");

    private final DistillationConfig c;
    private final UNet2DConditionModel teacher;
    private final TrainableUNet student;
    private final PromptEncoder promptEncoder;
    private final DDPMScheduler noiseScheduler;
    private final int numTrainTimesteps;
    private final Path vaeDir;
    private AutoencoderKL vae;
    private final int vaeScaleFactor;
    private final TrainingData data;
    private final AdamW optimizer;
    private final Map<String, PromptEmbeddings> promptCache = new HashMap<>();
    private final Map<Path, Tensor[]> imageCache = new HashMap<>();
    private final ObjectNode studentConfigJson;
    /** x0 of prompt-only training data (null: random latents or image data); prepared before the first step. */
    private final TeacherLatents teacherLatents;
    private boolean latentsReady;
    private int step;

    public DistillationTrainer(DistillationConfig config) {
        this.c = config;
        if (c.batch() < 1 || c.steps() < 0) {
            throw new VegaException("batch must be ≥ 1 and steps ≥ 0");
        }
        this.teacher = UNet2DConditionModel.load(c.teacher().resolve("unet"));
        this.promptEncoder = PromptEncoders.load(PipelineFolder.open(c.teacher()));
        String schedJson = readString(c.teacher().resolve("scheduler/scheduler_config.json"));
        SchedulerConfig sc = SchedulerConfig.fromJson(SchedulerType.DDPM, schedJson);
        this.noiseScheduler = new DDPMScheduler(sc);
        this.numTrainTimesteps = sc.numTrainTimesteps();
        this.vaeDir = c.teacher().resolve("vae");
        ObjectNode vaeCfg = StudentPruner.readJson(vaeDir.resolve("config.json"));
        this.vaeScaleFactor = 1 << (vaeCfg.path("block_out_channels").size() - 1);
        this.data = TrainingData.load(c.data());
        boolean promptOnly = data.examples().stream().anyMatch(e -> e.image() == null && e.latents() == null);
        this.teacherLatents = promptOnly && c.latents() == LatentSource.TEACHER
                ? new TeacherLatents(c.teacher(), c.out().resolve("training/teacher_latents.safetensors"), c.seed(),
                        c.teacherSteps(), c.latentSize())
                : null;

        Path out = c.out();
        boolean resuming = c.resume() && Files.isRegularFile(out.resolve("training/trainer_state.json"));
        Path from = resuming ? out : c.student();
        this.studentConfigJson = StudentPruner.readJson(from.resolve("unet/config.json"));
        UNetConfig studentConfig = UNetConfig.fromJson(studentConfigJson, from.resolve("unet/config.json").toString());
        Path studentWeights = WeightFiles.resolveModel(from.resolve("unet"), WeightFiles.Library.DIFFUSERS,
                "student UNet");
        try (SafetensorsWeights w = SafetensorsWeights.open(studentWeights)) {
            this.student = TrainableUNet.create(studentConfig, w);
        }
        student.setGradientCheckpointing(c.gradientCheckpointing());
        this.optimizer = new AdamW(student.parameters(), AdamW.Options.defaults(c.weightDecay()));
        if (resuming) {
            try (SafetensorsWeights s = SafetensorsWeights.open(out.resolve("training/optimizer.safetensors"))) {
                Map<String, Tensor> state = new LinkedHashMap<>();
                for (String n : s.allNames()) {
                    state.put(n, s.get(n));
                }
                optimizer.loadState(state);
            }
            this.step = (int) optimizer.step();
        } else {
            StudentPruner.copyPipeline(c.student(), out);
            try {
                Files.deleteIfExists(out.resolve("training/loss.csv")); // a fresh run starts a fresh log
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public TrainableUNet student() {
        return student;
    }

    public int step() {
        return step;
    }

    /**
     * Generates (or loads from {@code out/training/teacher_latents.safetensors}) the teacher latents of every
     * training prompt; the first step does this itself when it has not been called.
     */
    public void prepareLatents(TeacherLatents.Listener listener) {
        if (!latentsReady && teacherLatents != null) {
            teacherLatents.prepare(data.examples().stream().filter(e -> e.image() == null && e.latents() == null)
                    .map(TrainingData.Example::caption).toList(), listener);
        }
        latentsReady = true;
    }

    /** The teacher latents of the training prompts (null when the run uses random latents or images). */
    public TeacherLatents teacherLatents() {
        return teacherLatents;
    }

    /** Trains up to {@code config.steps()}, checkpointing every {@code checkpointEvery} steps and at the end. */
    public List<LossTerms> train(Listener listener) {
        List<LossTerms> history = new ArrayList<>();
        while (step < c.steps()) {
            double lr = AdamW.warmupLr(c.lr(), step, c.warmupSteps());
            LossTerms t = trainStep(lr);
            history.add(t);
            appendLog(t, lr);
            if (listener != null) {
                listener.onStep(step, c.steps(), t, lr);
            }
            if (c.checkpointEvery() > 0 && step % c.checkpointEvery() == 0 || step == c.steps()) {
                saveCheckpoint();
            }
        }
        return history;
    }

    /** One optimizer step on the batch of the current step; returns its loss terms (before the update). */
    public LossTerms trainStep(double lr) {
        optimizer.zeroGrad();
        LossTerms terms = accumulateGradients(step, 0);
        applyUpdate(lr);
        return terms;
    }

    /**
     * The data-parallel half of a step: adds the gradients of micro-batch {@code shard} of step {@code s} to the
     * student's parameter gradients (a distributed driver runs one shard per worker, sums the gradients into
     * {@code student().parameters()} and calls {@link #applyUpdate} on each replica).
     */
    public LossTerms accumulateGradients(int s, int shard) {
        Batch b = batch(s, c.seed() + 31L * shard);
        Var total = loss(b, true);
        LossTerms terms = lastTerms;
        Autograd.backward(total);
        return terms;
    }

    /** Clips the accumulated gradients, takes one AdamW step, clears the gradients and advances the step. */
    public void applyUpdate(double lr) {
        AdamW.clipGradNorm(student.parameters().values(), c.maxGradNorm());
        optimizer.update(lr);
        optimizer.zeroGrad();
        step++;
    }

    /**
     * The loss terms (no update) averaged over {@code n} batches drawn from {@code prompts} with a separate seed:
     * held-out evaluation of how close the student's features and outputs are to the teacher's.
     */
    public LossTerms evaluate(List<String> prompts, int n, long seed) {
        List<TrainingData.Example> ex = prompts.stream().map(p -> new TrainingData.Example(p, null)).toList();
        if (c.latents() == LatentSource.TEACHER) {
            if (evalLatents == null || evalSeed != seed) {
                evalSeed = seed;
                evalLatents = new TeacherLatents(c.teacher(), null, seed, c.teacherSteps(), c.latentSize());
            }
            evalLatents.prepare(prompts, null);
        }
        double tot = 0, task = 0, out = 0, feat = 0;
        for (int i = 0; i < n; i++) {
            Batch b = batch(ex, i, seed, c.latents() == LatentSource.TEACHER ? evalLatents : null);
            Autograd.noGrad(() -> loss(b, false));
            tot += lastTerms.total();
            task += lastTerms.task();
            out += lastTerms.out();
            feat += lastTerms.feat();
        }
        return new LossTerms(tot / n, task / n, out / n, feat / n);
    }

    private LossTerms lastTerms;
    /** Held-out prompts' teacher latents (in memory only; seeded with the evaluation seed). */
    private TeacherLatents evalLatents;
    private long evalSeed;

    private record Batch(Tensor noisy, Tensor noise, float[] timesteps, Tensor context, Tensor textEmbeds,
            Tensor timeIds) {}

    private Batch batch(int s, long seed) {
        prepareLatents(null);
        return batch(data.examples(), s, seed, teacherLatents);
    }

    /** The batch of step {@code s}: examples, latents, noise and timesteps all derived from (seed, s). */
    private Batch batch(List<TrainingData.Example> examples, int s, long seed, TeacherLatents prompted) {
        Random pick = new Random(seed * 1_000_003L + s);
        TorchGenerator gen = new TorchGenerator(seed * 7_919L + s);
        int n = c.batch(), l = c.latentSize(), ch = teacher.config().inChannels();
        List<Tensor> noisy = new ArrayList<>(), noise = new ArrayList<>(), ctx = new ArrayList<>(),
                text = new ArrayList<>(), ids = new ArrayList<>();
        float[] ts = new float[n];
        for (int i = 0; i < n; i++) {
            TrainingData.Example e = examples.get(pick.nextInt(examples.size()));
            Tensor x0 = e.image() != null ? imageLatents(e.image(), gen)
                    : e.latents() != null ? fileLatents(e.latents(), ch, l)
                    : prompted != null ? prompted.get(e.caption()) : gen.randn(1, ch, l, l);
            Tensor eps = gen.randn(x0.shape());
            int t = pick.nextInt(numTrainTimesteps);
            ts[i] = t;
            noisy.add(noiseScheduler.addNoise(x0, eps, t));
            noise.add(eps);
            PromptEmbeddings pe = promptCache.computeIfAbsent(e.caption(),
                    p -> promptEncoder.encode(p, null, null, null, 1, false, null));
            ctx.add(pe.promptEmbeds());
            if (pe.pooledPromptEmbeds() != null) {
                text.add(pe.pooledPromptEmbeds());
                int h = x0.dim(2) * vaeScaleFactor, w = x0.dim(3) * vaeScaleFactor;
                // SDXL micro-conditioning: (original size, crop top-left, target size), as distill_sdxl.py passes
                ids.add(Tensor.of(new float[] {h, w, 0, 0, h, w}, 1, 6));
            }
        }
        return new Batch(cat(noisy), cat(noise), ts, cat(ctx), text.isEmpty() ? null : cat(text),
                ids.isEmpty() ? null : cat(ids));
    }

    /** Clean latents from a file (vega batch --latents): they must already be at the training size. */
    private Tensor fileLatents(Path file, int channels, int size) {
        return latentFileCache.computeIfAbsent(file, f -> {
            Tensor t;
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                t = st.load(TrainingData.LATENTS);
            }
            int[] s = t.shape();
            if (s.length != 4 || s[0] != 1 || s[1] != channels || s[2] != size || s[3] != size) {
                throw new VegaException(f + ": latents of shape " + java.util.Arrays.toString(s) + ", training needs [1, "
                        + channels + ", " + size + ", " + size + "] (--latent-size " + size + "; generate them at "
                        + size * vaeScaleFactor + "x" + size * vaeScaleFactor + " pixels)");
            }
            return t;
        });
    }

    private final Map<Path, Tensor> latentFileCache = new HashMap<>();

    private Tensor imageLatents(Path image, TorchGenerator gen) {
        Tensor[] ms = imageCache.computeIfAbsent(image, p -> {
            if (vae == null) {
                vae = AutoencoderKL.load(vaeDir);
            }
            int px = c.latentSize() * vaeScaleFactor;
            Tensor img = VaeImageProcessor.preprocessImage(ImageFiles.read(p), px, px);
            var dist = vae.encode(img);
            return new Tensor[] {dist.mean(), dist.std()};
        });
        Tensor sample = dev.vega4j.tensor.Ops.get().add(ms[0],
                dev.vega4j.tensor.Ops.get().mul(ms[1], gen.randn(ms[0].shape())));
        return dev.vega4j.tensor.Ops.get().scale(sample, vae.scalingFactor());
    }

    private static Tensor cat(List<Tensor> parts) {
        return Tensor.cat0(parts.toArray(Tensor[]::new));
    }

    private Var loss(Batch b, boolean grad) {
        Map<String, Tensor> teacherFeats = new HashMap<>();
        UNet2DConditionModel.AddedConditions added = b.textEmbeds() == null ? null
                : new UNet2DConditionModel.AddedConditions(b.textEmbeds(), b.timeIds());
        Tensor teacherOut = teacher.forward(b.noisy(), b.timesteps(), b.context(), added, (name, v) -> {
            if (HOOKED.matcher(name).matches()) {
                teacherFeats.put(name, v);
            }
        });
        Map<String, Var> studentFeats = new LinkedHashMap<>();
        Var out = student.forward(Var.constant(b.noisy()), b.timesteps(), Var.constant(b.context()),
                b.textEmbeds() == null ? null : Var.constant(b.textEmbeds()),
                b.timeIds() == null ? null : Var.constant(b.timeIds()), (name, v) -> {
                    if (HOOKED.matcher(name).matches()) {
                        studentFeats.put(name, v);
                    }
                });
        List<Var> terms = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        Var task = F.mse(out, Var.constant(b.noise()));
        Var kd = F.mse(out, Var.constant(teacherOut));
        terms.add(task);
        weights.add(1f);
        terms.add(kd);
        weights.add((float) c.lambdaOut());
        double feat = 0;
        for (var e : studentFeats.entrySet()) {
            Tensor t = teacherFeats.get(e.getKey());
            if (t == null || !Arrays.equals(t.shape(), e.getValue().shape())) {
                continue; // a layer the teacher does not have (or of another shape) is not a distillation target
            }
            Var f = F.mse(e.getValue(), Var.constant(t));
            feat += f.value().data()[0];
            terms.add(f);
            weights.add((float) c.lambdaFeat());
        }
        float[] w = new float[weights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(i);
        }
        Var total = F.weightedSum(terms.toArray(Var[]::new), w);
        lastTerms = new LossTerms(total.value().data()[0], task.value().data()[0], kd.value().data()[0], feat);
        return total;
    }

    /** Writes the student UNet (diffusers layout) and the optimizer state and step, each file atomically. */
    public void saveCheckpoint() {
        Path out = c.out();
        StudentPruner.writeUNet(out.resolve("unet"), studentConfigJson, student.stateDict());
        try {
            Files.createDirectories(out.resolve("training"));
            SafetensorsWriter.write(out.resolve("training/optimizer.safetensors"), optimizer.state(),
                    Map.of("step", Integer.toString(step)));
            ObjectNode state = StudentPruner.JSON.createObjectNode();
            state.put("step", step);
            state.put("seed", c.seed());
            state.put("teacher", c.teacher().toString());
            state.put("student", c.student().toString());
            state.put("latents", c.latents().name().toLowerCase(java.util.Locale.ROOT));
            state.put("teacher_steps", c.teacherSteps());
            Path tmp = out.resolve("training/trainer_state.json.tmp");
            Files.writeString(tmp, StudentPruner.JSON.writeValueAsString(state));
            Files.move(tmp, out.resolve("training/trainer_state.json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void appendLog(LossTerms t, double lr) {
        try {
            Path log = c.out().resolve("training/loss.csv");
            Files.createDirectories(log.getParent());
            if (!Files.exists(log)) {
                Files.writeString(log, "step,loss,task,out,feat,lr\n");
            }
            Files.writeString(log, String.format(java.util.Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3e%n", step,
                    t.total(), t.task(), t.out(), t.feat(), lr), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new VegaException(p + ": not readable: " + e.getMessage(), e);
        }
    }
}

package dev.vega4j.train.distill;

import dev.vega4j.VegaException;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.PipelineLoader;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.pipeline.Trace;
import dev.vega4j.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntBinaryOperator;

/**
 * Teacher-generated clean latents for prompt-only training data (the "prompts alone with teacher-generated
 * latents"; Segmind trained on teacher-quality images): each prompt's x0 is the teacher pipeline's
 * {@code final_latents} for that prompt, at the training resolution, with the teacher's own scheduler, default
 * guidance and a seed derived from (run seed, prompt text), so it is reproducible and independent of file order.
 *
 * <p>The latents are cached in one safetensors file (tensor {@code latents.i}, metadata {@code prompt.i}, plus the
 * generation settings); a later run with the same settings reuses every cached prompt and generates only new ones.
 * The file is rewritten atomically every {@value #SAVE_EVERY} generations, so an interrupted generation resumes too.
 */
public final class TeacherLatents {
    static final int SAVE_EVERY = 16;

    /** Progress of the generation: (done, total). */
    public interface Listener {
        void onLatent(int done, int total);
    }

    private final Path teacher;
    private final Path cacheFile;
    private final long seed;
    private final int steps;
    private final int latentSize;
    private final Map<String, Tensor> latents = new LinkedHashMap<>();
    private int generated;

    public TeacherLatents(Path teacher, Path cacheFile, long seed, int steps, int latentSize) {
        if (steps < 1) {
            throw new VegaException("--teacher-steps must be ≥ 1, got " + steps);
        }
        this.teacher = teacher;
        this.cacheFile = cacheFile;
        this.seed = seed;
        this.steps = steps;
        this.latentSize = latentSize;
    }

    /** The generator seed of one prompt: the run seed mixed with a SHA-256 of the prompt, in [0, 2^53). */
    public static long seedFor(long runSeed, String prompt) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (h[i] & 0xff);
            }
            return ((v ^ runSeed * 0x9E3779B97F4A7C15L) >>> 11);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The teacher request for one prompt at {@code px} × {@code px} pixels with {@code steps} sampling steps. */
    public static GenerationRequest request(String prompt, int steps, int px, long seed) {
        return GenerationRequest.builder(prompt).steps(steps).size(px, px).seed(seed).build();
    }

    /** Loads the cache, then generates (and saves) every prompt not in it. */
    public void prepare(List<String> prompts, Listener listener) {
        load();
        List<String> missing = new ArrayList<>();
        for (String p : new LinkedHashSet<>(prompts)) {
            if (!latents.containsKey(p)) {
                missing.add(p);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        // the teacher pipeline is loaded only for this and released before training starts
        try (DiffusionPipeline pipe = PipelineLoader.load(teacher)) {
            int px = latentSize * pipe.vae().scaleFactor();
            for (int i = 0; i < missing.size(); i++) {
                String p = missing.get(i);
                latents.put(p, generate(pipe, p, px));
                generated++;
                if ((i + 1) % SAVE_EVERY == 0) {
                    save();
                }
                if (listener != null) {
                    listener.onLatent(i + 1, missing.size());
                }
            }
        }
        save();
    }

    private Tensor generate(DiffusionPipeline pipe, String prompt, int px) {
        long s = seedFor(seed, prompt);
        GenerationRequest r = request(prompt, steps, px, s);
        Tensor[] fin = new Tensor[1];
        try {
            pipe.run(r, s, pipe.schedulers().create(r.scheduler(), r.schedulerOverrides()), ProgressListener.NONE, new Cancellation(),
                    (key, value) -> {
                        if (key.equals("final_latents")) {
                            fin[0] = value;
                            throw new Done(); // the latents are all we need: skip the VAE decode
                        }
                    });
        } catch (Done expected) {
            // fall through
        }
        if (fin[0] == null) {
            throw new IllegalStateException("teacher pipeline produced no final_latents for '" + prompt + "'");
        }
        return fin[0].copy();
    }

    /** Control-flow signal: stops {@link DiffusionPipeline#run} right after it reports its final latents. */
    private static final class Done extends RuntimeException {
        Done() {
            super(null, null, false, false);
        }
    }

    /** The clean latent x0 (1, C, h, w) of a prepared prompt. */
    public Tensor get(String prompt) {
        Tensor t = latents.get(prompt);
        if (t == null) {
            throw new IllegalStateException("no teacher latents prepared for '" + prompt + "'");
        }
        return t;
    }

    public boolean has(String prompt) {
        return latents.containsKey(prompt);
    }

    /** How many latents this instance generated (the rest came from the cache). */
    public int generated() {
        return generated;
    }

    private Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("teacher_steps", Integer.toString(steps));
        m.put("latent_size", Integer.toString(latentSize));
        m.put("seed", Long.toString(seed));
        return m;
    }

    private void load() {
        if (cacheFile == null || !Files.isRegularFile(cacheFile)) {
            return;
        }
        try (SafetensorsFile f = SafetensorsFile.open(cacheFile)) {
            Map<String, String> meta = f.metadata();
            for (var e : settings().entrySet()) {
                if (!e.getValue().equals(meta.get(e.getKey()))) {
                    return; // generated with other settings: regenerate (and overwrite) rather than mix
                }
            }
            for (int i = 0; meta.containsKey("prompt." + i); i++) {
                latents.put(meta.get("prompt." + i), f.load("latents." + i));
            }
        }
    }

    private void save() {
        if (cacheFile == null) {
            return;
        }
        Map<String, String> meta = settings();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int i = 0;
        for (var e : latents.entrySet()) {
            meta.put("prompt." + i, e.getKey());
            tensors.put("latents." + i, e.getValue());
            i++;
        }
        SafetensorsWriter.write(cacheFile, tensors, meta);
    }
}

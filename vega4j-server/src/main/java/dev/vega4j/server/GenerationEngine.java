package dev.vega4j.server;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.VegaException;
import dev.vega4j.hub.HubException;
import dev.vega4j.lora.ActiveLora;
import dev.vega4j.lora.LoraAdapter;
import dev.vega4j.lora.LoraException;
import dev.vega4j.lora.LoraTargets;
import dev.vega4j.pipeline.AdaptableModules;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.ProgressListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs generations one at a time on a single worker thread (a generation saturates the CPU, and {@link Pipeline}s
 * are not thread-safe), with a bounded queue in front. Every submitted job reaches a final state exactly once:
 * completed by the worker, failed by the worker, cancelled while queued, or failed at shutdown.
 *
 * <p>A job's LoRA adapters are attached unfused ({@link LoraTargets#attach}: the layers add the low-rank update to
 * their output, the weights are never written) just before it runs and detached right after, whatever happened, so
 * the next job sees the model exactly as loaded. Unfused also means no float32 copy of a mapped weight is ever
 * needed. The UNet's cross-attention key/value cache lives for one generation only (see
 * {@code DiffusionPipeline.run}), so it can never serve keys computed with another job's adapters or prompt.
 *
 * <p>The engine speaks in outcomes ({@link JobFailure.Kind}), never HTTP: {@link #submit} refuses with an
 * {@link EngineException} (the request's fault, a full queue, shutting down), and a job it accepted but could not run
 * ends FAILED with a {@link JobFailure} that says whether the request or the server's side (a model, weight or adapter
 * file, memory, the Hub, a bug) was to blame. {@code ApiException.of} alone maps those to status codes.
 */
public final class GenerationEngine implements JobService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationEngine.class);
    private static final int SHUTDOWN_RETRY_SECONDS = 30;

    private final Map<String, Pipeline> pipelines;
    private final RequestFeatures features;
    /** Live previews after every step: a tiny autoencoder or the linear map costs well under 5% of a step. */
    private static final int PREVIEW_INTERVAL = 1;
    private final Map<String, LoraTargets> loraTargets = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Job> queue;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Duration resultTtl;
    private final int maxRetainedJobs;
    private final Metrics metrics;
    private final Thread worker;
    private volatile boolean accepting = true;
    private volatile boolean stopping;
    private volatile Job current;
    /** Smoothed duration of recent jobs, for Retry-After and ETA estimates. */
    private volatile double avgJobSeconds = 10;

    public GenerationEngine(Map<String, Pipeline> pipelines, int queueCapacity, Duration resultTtl,
            int maxRetainedJobs, Metrics metrics) {
        this(pipelines, RequestFeatures.NONE, queueCapacity, resultTtl, maxRetainedJobs, metrics);
    }

    public GenerationEngine(Map<String, Pipeline> pipelines, RequestFeatures features, int queueCapacity,
            Duration resultTtl, int maxRetainedJobs, Metrics metrics) {
        if (pipelines.isEmpty()) {
            throw new VegaException("the server needs at least one loaded model");
        }
        this.pipelines = Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
        this.features = features;
        this.queue = new LinkedBlockingQueue<>(Math.max(1, queueCapacity));
        this.resultTtl = resultTtl;
        this.maxRetainedJobs = maxRetainedJobs;
        this.metrics = metrics;
        metrics.bind(queue::size, this::countByState);
        this.worker = Thread.ofPlatform().name("vega-engine").daemon(true).unstarted(this::runLoop);
        worker.start();
    }

    public Map<String, Pipeline> pipelines() {
        return pipelines;
    }

    @Override
    public Map<String, Pipeline.ModelInfo> models() {
        Map<String, Pipeline.ModelInfo> m = new LinkedHashMap<>();
        pipelines.forEach((slug, p) -> m.put(slug, p.info()));
        return m;
    }

    @Override
    public String defaultModel() {
        return pipelines.keySet().iterator().next();
    }

    /** The LoRA adapters requests may name. */
    @Override
    public LoraLibrary loras() {
        return features.loras();
    }

    /** Whether {@code model} can encode prompts the AUTOMATIC1111 way. */
    @Override
    public boolean promptWeighting(String model) {
        return features.promptWeighting().containsKey(model);
    }

    /** Whether {@code model} takes per-request LoRA adapters (its pipeline has adaptable modules, adapters offered). */
    @Override
    public boolean takesLora(String model) {
        return !features.loras().isEmpty() && pipelines.get(model).adaptableModules().isPresent();
    }

    /**
     * Queues a generation; refuses with an {@link EngineException}: UNKNOWN_MODEL or BAD_REQUEST (the request's
     * fault), SHUTTING_DOWN, or OVERLOADED when the queue is full.
     */
    public Job submit(String model, GenerationRequest request, String owner, int credits, Images.Format format) {
        return submit(model, request, JobOptions.NONE, owner, credits, format);
    }

    /**
     * As above with LoRA adapters and prompt handling; an adapter that does not fit the model is refused here
     * (BAD_REQUEST), while one the server cannot read is accepted as a job that is already FAILED (MODEL_FAILURE): the
     * request was fine, the server's file is not, and an async client finds that in the job's status.
     */
    @Override
    public Job submit(String model, GenerationRequest request, JobOptions options, String owner, int credits,
            Images.Format format) {
        if (!pipelines.containsKey(model)) {
            throw new EngineException(JobFailure.Kind.UNKNOWN_MODEL, "unknown model '" + model + "'; loaded: "
                    + String.join(", ", pipelines.keySet()));
        }
        Optional<JobFailure> cannotRun = check(model, options);
        if (!accepting) {
            throw new EngineException(shutdown("the server is shutting down and takes no new jobs"));
        }
        Job job = new Job(UUID.randomUUID().toString(), model, request, options, owner, credits,
                System.currentTimeMillis(), format);
        jobs.put(job.id(), job);
        if (cannotRun.isPresent()) {
            finish(job, null, cannotRun.get());
            return job;
        }
        if (!queue.offer(job)) {
            jobs.remove(job.id());
            int wait = Math.max(1, (int) Math.min(600, Math.ceil(avgJobSeconds * (queue.size() + 1))));
            throw new EngineException(new JobFailure(JobFailure.Kind.OVERLOADED, "the generation queue is full ("
                    + queue.size() + " waiting); retry in about " + wait + " s", wait));
        }
        if (!accepting && queue.remove(job)) {
            // Shutdown began between the check and the offer: fail it here rather than leave it behind.
            finish(job, null, shutdown("the server shut down before the job ran"));
        }
        return job;
    }

    /** SHUTTING_DOWN, with the advice to retry in a while (another instance may take over, or this one restart). */
    private static JobFailure shutdown(String message) {
        return new JobFailure(JobFailure.Kind.SHUTTING_DOWN, message, SHUTDOWN_RETRY_SECONDS);
    }

    /**
     * Refuses what the model cannot do before the job is queued (so an async client hears it at once): prompt
     * weighting where it is not set up, LoRA on a model that takes none, and adapters made for another architecture
     * (read here, into the library's cache, and matched against the model's layers). Returns the server-side failure
     * that will keep the job from running (an adapter file that cannot be read), if any.
     */
    private Optional<JobFailure> check(String model, JobOptions options) {
        if (options.vae() != null) {
            if (!features.autoencoders().containsKey(options.vae())) {
                throw new EngineException(JobFailure.Kind.BAD_REQUEST, "unknown vae '" + options.vae() + "'"
                        + (features.autoencoders().isEmpty() ? "; this server offers none"
                                : "; offered: " + String.join(", ", features.autoencoders().keySet())));
            }
            if (!(pipelines.get(model) instanceof DiffusionPipeline)) {
                throw new EngineException(JobFailure.Kind.BAD_REQUEST, "model '" + model + "' takes no vae (not a"
                        + " diffusers pipeline)");
            }
        }
        if (options.promptWeighting() && !promptWeighting(model)) {
            throw new EngineException(JobFailure.Kind.BAD_REQUEST, "prompt_weighting is not available for model '"
                    + model + "'" + (features.promptWeighting().isEmpty() ? "" : "; it is for: " + String.join(", ",
                    features.promptWeighting().keySet())));
        }
        JobFailure cannotRun = null;
        for (LoraUse u : options.loras()) {
            LoraTargets targets = targets(model);
            LoraAdapter adapter;
            try {
                adapter = adapter(u);
            } catch (EngineException e) {
                // the request's own faults in the other adapters still come first
                cannotRun = cannotRun != null ? cannotRun : e.failure();
                continue;
            }
            try {
                targets.resolve(adapter);
            } catch (LoraException e) {
                throw new EngineException(JobFailure.Kind.BAD_REQUEST, "LoRA '" + u.name() + "' cannot be applied to '"
                        + model + "': " + privateMessage(e, u));
            }
        }
        return Optional.ofNullable(cannotRun);
    }

    /**
     * The adapter {@code u} names, from the library's cache or read now. A file that cannot be read or is no LoRA is
     * the operator's (the client only named an offered adapter): a MODEL_FAILURE naming the cause.
     */
    private LoraAdapter adapter(LoraUse u) {
        try {
            return features.loras().adapter(u.entry());
        } catch (VegaException e) {
            LOG.warn("LoRA '{}' cannot be read: {}", u.name(), e.getMessage());
            throw new EngineException(JobFailure.Kind.MODEL_FAILURE, "the server's LoRA '" + u.name()
                    + "' cannot be read: " + privateMessage(e, u));
        }
    }

    /** The operator's folder layout stays private: messages name the file as the listing does. */
    private static String privateMessage(VegaException e, LoraUse u) {
        return String.valueOf(e.getMessage()).replace(u.entry().file().toString(), u.entry().display());
    }

    /** The layers of {@code model} adapters can patch (found once per model). */
    private LoraTargets targets(String model) {
        Optional<AdaptableModules> modules = pipelines.get(model).adaptableModules();
        if (modules.isEmpty()) {
            throw new EngineException(JobFailure.Kind.BAD_REQUEST, "model '" + model + "' does not take LoRA"
                    + " adapters (not a diffusers pipeline)");
        }
        return loraTargets.computeIfAbsent(model, m -> LoraTargets.of(modules.get()));
    }

    @Override
    public Optional<Job> find(String id) {
        purgeExpired();
        return Optional.ofNullable(id == null ? null : jobs.get(id));
    }

    /** The job the worker is running, if any. */
    @Override
    public Optional<Job> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public int queueDepth() {
        return queue.size();
    }

    /** 1-based place in the queue (0 = running or finished). */
    @Override
    public int position(Job job) {
        int i = 1;
        for (Job j : queue) {
            if (j == job) {
                return i;
            }
            i++;
        }
        return 0;
    }

    @Override
    public double averageJobSeconds() {
        return avgJobSeconds;
    }

    /**
     * Stops the job: a queued one fails at once, a running one at the pipeline's next step check.
     * Used when a synchronous client disconnects and by A1111's interrupt.
     */
    @Override
    public void cancel(Job job, String why) {
        job.cancel(why);
        if (queue.remove(job)) {
            finish(job, null, JobFailure.of(JobFailure.Kind.CANCELLED, why));
        }
    }

    private Map<JobState, Integer> countByState() {
        Map<JobState, Integer> m = new EnumMap<>(JobState.class);
        for (Job j : jobs.values()) {
            m.merge(j.state(), 1, Integer::sum);
        }
        return m;
    }

    private void runLoop() {
        while (true) {
            Job job;
            try {
                job = queue.poll(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (stopping) {
                    return;
                }
                continue;
            }
            if (job == null) {
                if (stopping) {
                    return;
                }
                purgeExpired();
                continue;
            }
            if (stopping) {
                finish(job, null, shutdown("the server shut down before the job ran"));
                continue;
            }
            if (job.cancellation().isCancelled() || !job.start(System.currentTimeMillis())) {
                finish(job, null, JobFailure.of(JobFailure.Kind.CANCELLED, job.cancelReason()));
                continue;
            }
            current = job;
            try {
                run(job);
            } finally {
                current = null;
            }
        }
    }

    private void run(Job job) {
        JobOptions options = job.options();
        Pipeline pipeline = options.promptWeighting() ? features.promptWeighting().get(job.model())
                : pipelines.get(job.model());
        if (options.vae() != null && pipeline instanceof DiffusionPipeline dp) { // a view: shares every other part
            pipeline = dp.withVae(features.autoencoders().get(options.vae()));
        }
        long[] lastStepNanos = {0};
        // steps are denoising steps out of num_inference_steps (img2img: the steps the strength leaves), as diffusers'
        // progress bar counts them; the pipeline announces that total before the first step
        ProgressListener listener = new ProgressListener() {
            @Override
            public void onProgress(ProgressEvent ev) {
                if (ev.phase() == ProgressListener.Phase.ENCODE_PROMPT) {
                    job.progress(0, ev.total());
                } else if (ev.phase() == ProgressListener.Phase.DENOISE) {
                    metrics.step(Math.max(0, ev.elapsedNanos() - lastStepNanos[0]) / 1e9);
                    lastStepNanos[0] = ev.elapsedNanos();
                    job.progress(ev.step(), ev.total());
                }
            }

            @Override
            public int previewInterval() {
                return PREVIEW_INTERVAL;
            }

            @Override
            public void onPreview(Preview preview) {
                job.preview(Images.previewDataUrl(preview.image()));
            }
        };
        List<ActiveLora> attached = new ArrayList<>();
        try {
            for (LoraUse u : options.loras()) {
                if (u.applied()) {
                    ActiveLora a = targets(job.model()).attach(adapter(u), 1f);
                    attached.add(a);
                    a.setTextEncoderScale(u.textEncoderScale());
                    a.setUnetScale(u.unetScale());
                }
            }
            GenerationResult r = pipeline.generate(job.request(), listener, job.cancellation());
            finish(job, r, null);
        } catch (Throwable t) {
            finish(job, null, failure(job, t));
        } finally {
            for (int i = attached.size() - 1; i >= 0; i--) {
                attached.get(i).detach();
            }
        }
    }

    /**
     * What a throwable out of a running job means. Only {@link InvalidRequestException} (the core's word for "the
     * request is wrong": a size, a strength leaving no step, a scheduler name, prompt syntax) blames the client;
     * any other {@link VegaException} (an unreadable weight or adapter file, an internal check) is the server's side,
     * a {@link HubException} the Hub's, and anything else a bug whose details stay in the log.
     */
    private JobFailure failure(Job job, Throwable t) {
        return switch (t) {
            case Cancellation.CancelledException _ -> stopping
                    ? shutdown("the server shut down while the job ran")
                    : JobFailure.of(JobFailure.Kind.CANCELLED, job.cancelReason());
            case EngineException e -> e.failure();
            case InvalidRequestException e -> JobFailure.of(JobFailure.Kind.BAD_REQUEST, e.getMessage());
            case HubException e -> {
                LOG.warn("generation {}: the Hub failed: {}", job.id(), e.getMessage());
                yield JobFailure.of(JobFailure.Kind.UPSTREAM, "the Hugging Face Hub failed: " + e.getMessage());
            }
            case VegaException e -> {
                LOG.warn("generation {} failed on the server's side: {}", job.id(), e.getMessage(), e);
                yield JobFailure.of(JobFailure.Kind.MODEL_FAILURE, "the model failed: " + e.getMessage());
            }
            case OutOfMemoryError e -> {
                LOG.error("generation {} ran out of memory", job.id(), e);
                yield JobFailure.of(JobFailure.Kind.MODEL_FAILURE, "the server ran out of memory while generating"
                        + " (try a smaller image or fewer samples)");
            }
            default -> {
                LOG.error("generation {} failed", job.id(), t);
                yield JobFailure.of(JobFailure.Kind.MODEL_FAILURE, "internal error while generating (see the"
                        + " server log)");
            }
        };
    }

    private void finish(Job job, GenerationResult result, JobFailure failure) {
        long now = System.currentTimeMillis();
        if (job.finish(result, failure, now)) {
            double secs = job.startedMillis() > 0 ? (now - job.startedMillis()) / 1000.0 : -1;
            if (result != null && secs >= 0) {
                avgJobSeconds = 0.7 * avgJobSeconds + 0.3 * Math.max(0.01, secs);
            }
            metrics.jobFinished(result != null ? "completed" : metricsOutcome(failure.kind()), secs,
                    result != null ? result.images().size() : 0);
        }
    }

    /** The {@code outcome} label of {@code vega_jobs_finished_total} for a failed job. */
    private static String metricsOutcome(JobFailure.Kind kind) {
        return switch (kind) {
            case CANCELLED -> "cancelled";
            case SHUTTING_DOWN -> "shutdown";
            case BAD_REQUEST, UNKNOWN_MODEL -> "rejected";
            case OVERLOADED, MODEL_FAILURE, UPSTREAM -> "error";
        };
    }

    /** Drops finished jobs older than the TTL, and the oldest finished ones beyond the retention cap. */
    void purgeExpired() {
        long cutoff = System.currentTimeMillis() - resultTtl.toMillis();
        List<Job> finished = new ArrayList<>();
        for (Job j : jobs.values()) {
            if (j.state().isFinal()) {
                if (j.finishedMillis() < cutoff) {
                    jobs.remove(j.id());
                } else {
                    finished.add(j);
                }
            }
        }
        if (finished.size() > maxRetainedJobs) {
            finished.sort((a, b) -> Long.compare(a.finishedMillis(), b.finishedMillis()));
            for (int i = 0; i < finished.size() - maxRetainedJobs; i++) {
                jobs.remove(finished.get(i).id());
            }
        }
    }

    /**
     * Graceful shutdown: takes no new jobs, lets the queue run for up to {@code grace}, then cancels the running job
     * and fails every queued one with a message saying so. Returns when every job is final (or the worker is stuck
     * inside one step longer than a minute, in which case that job is failed too).
     */
    public void shutdown(Duration grace) {
        accepting = false;
        long deadline = System.nanoTime() + grace.toNanos();
        while ((!queue.isEmpty() || current != null) && System.nanoTime() < deadline) {
            sleep(20);
        }
        stopping = true;
        List<Job> left = new ArrayList<>();
        queue.drainTo(left);
        for (Job j : left) {
            j.cancel("the server shut down before the job ran");
            finish(j, null, shutdown("the server shut down before the job ran"));
        }
        Job running = current;
        if (running != null) {
            running.cancel("the server shut down while the job ran");
        }
        // No interrupt: a pipeline reading memory-mapped weights must not see its channel closed by one; it stops at
        // the next step check instead.
        try {
            worker.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Job j : jobs.values()) {
            if (!j.state().isFinal()) {
                j.cancel("the server shut down while the job ran");
                finish(j, null, shutdown("the server shut down while the job ran"));
            }
        }
    }

    @Override
    public boolean isAccepting() {
        return accepting;
    }

    /** Snapshot of the jobs the server knows (for tests and metrics). */
    public List<Job> jobs() {
        return List.copyOf(jobs.values());
    }

    /** Sleeps, keeping an interrupt for the caller to see. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}

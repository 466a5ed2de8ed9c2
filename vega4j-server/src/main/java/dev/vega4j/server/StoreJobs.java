package dev.vega4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.server.store.JobRow;
import dev.vega4j.server.store.PgStore;
import dev.vega4j.server.store.StoreListener;
import dev.vega4j.server.store.StoreUnavailableException;
import dev.vega4j.server.store.WorkerRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The APIs' jobs on an api node of {@code vega serve --store}: submitting writes a row to the shared queue, and a job
 * is seen through a local mirror ({@link Job}) kept up to date from the store: at once on the store's
 * {@code NOTIFY}, and by polling every beat in case a notification was lost (the listening connection was down).
 * So the APIs wait, stream and answer exactly as over the embedded engine, whichever node the worker and the client
 * are on. The served models are those of live workers' registrations.
 */
final class StoreJobs implements JobService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreJobs.class);
    /** How long a finished job's mirror stays in memory after it was last looked at (the store keeps the result). */
    private static final long MIRROR_KEEP_MILLIS = 60_000;

    /** A served model as workers register it. */
    record Served(Pipeline.ModelInfo info, boolean promptWeighting) {}

    private final PgStore store;
    private final JobCodec codec;
    private final ObjectMapper json;
    private final StoreCredits credits;
    private final int queueCapacity;
    private final Map<String, String> keyByHash = new HashMap<>();
    private final Map<UUID, Job> mirrors = new ConcurrentHashMap<>();
    private final Map<UUID, Long> lastSeen = new ConcurrentHashMap<>();
    private final StoreListener listener;
    private final ScheduledExecutorService timer;
    private volatile List<WorkerRow> workers = List.of();
    private volatile Map<String, Served> live = Map.of();
    private volatile Map<String, Served> known = Map.of();
    private volatile boolean closed;
    private volatile double avgJobSeconds = 10;
    private final java.time.Duration syncTimeout;

    StoreJobs(PgStore store, JobCodec codec, ObjectMapper json, StoreCredits credits, ServerConfig config,
            StoreSettings settings) {
        this.store = store;
        this.codec = codec;
        this.json = json;
        this.credits = credits;
        this.queueCapacity = config.queueCapacity();
        this.syncTimeout = settings.syncTimeout();
        for (String k : config.keys().keys()) {
            keyByHash.put(StoreCredits.hash(k), k);
        }
        refreshWorkers();
        this.listener = new StoreListener(store.url(), List.of(PgStore.JOB_EVENTS), (channel, id) -> onEvent(id));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true)
                .name("vega-store-poll").unstarted(r));
        long beat = settings.beat().toMillis();
        timer.scheduleWithFixedDelay(this::tick, beat, beat, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            refreshWorkers();
            poll();
        } catch (StoreUnavailableException e) {
            // logged by the housekeeping; the next tick tries again
        } catch (RuntimeException e) {
            LOG.warn("polling the store failed", e);
        }
    }

    private void refreshWorkers() {
        try {
            List<WorkerRow> rows = store.workers();
            Map<String, Served> liveNow = new LinkedHashMap<>();
            Map<String, Served> knownNow = new LinkedHashMap<>();
            for (WorkerRow w : rows) {
                for (JsonNode m : json.readTree(w.models())) {
                    Served s = new Served(new Pipeline.ModelInfo(m.get("name").asText(),
                            Pipeline.Family.valueOf(m.get("family").asText()), m.get("default_width").asInt(),
                            m.get("default_height").asInt(), m.get("default_scheduler").asText()),
                            m.get("prompt_weighting").asBoolean());
                    String slug = m.get("slug").asText();
                    knownNow.putIfAbsent(slug, s);
                    if (w.live()) {
                        liveNow.putIfAbsent(slug, s);
                    }
                }
            }
            workers = rows;
            live = liveNow;
            known = knownNow;
        } catch (IOException e) {
            LOG.warn("a worker registration cannot be read: {}", e.getMessage());
        } catch (StoreUnavailableException e) {
            // keep what we knew; requests get 503 from the store itself
        }
    }

    /** The registrations as last read (live and dead), for /health. */
    List<WorkerRow> workers() {
        return workers;
    }

    /** Models built from the registration of this process's own engine (role all) or of remote workers. */
    static String registration(ObjectMapper json, GenerationEngine engine) {
        var arr = json.createArrayNode();
        engine.models().forEach((slug, info) -> {
            var o = arr.addObject();
            o.put("slug", slug);
            o.put("name", info.name());
            o.put("family", info.family().name());
            o.put("default_width", info.defaultWidth());
            o.put("default_height", info.defaultHeight());
            o.put("default_scheduler", info.defaultScheduler());
            o.put("prompt_weighting", engine.promptWeighting(slug));
        });
        return arr.toString();
    }

    @Override
    public Map<String, Pipeline.ModelInfo> models() {
        Map<String, Pipeline.ModelInfo> m = new LinkedHashMap<>();
        live.forEach((slug, s) -> m.put(slug, s.info()));
        return m;
    }

    @Override
    public void requireModel(String model) {
        if (live.containsKey(model)) {
            return;
        }
        if (known.containsKey(model) || live.isEmpty()) {
            throw new ApiException(503, "unavailable", "no live worker serves model '" + model + "' right now ("
                    + live.size() + " model(s) served: " + String.join(", ", live.keySet()) + "); retry later", 10);
        }
        throw new ApiException(404, "not_found", "no model '" + model + "' on this server; served: "
                + String.join(", ", live.keySet()));
    }

    @Override
    public String defaultModel() {
        if (live.isEmpty()) {
            throw new ApiException(503, "unavailable", "no live worker is serving any model right now; retry later",
                    10);
        }
        return live.keySet().iterator().next();
    }

    @Override
    public LoraLibrary loras() {
        return LoraLibrary.empty();
    }

    @Override
    public boolean promptWeighting(String model) {
        Served s = live.get(model);
        return s != null && s.promptWeighting();
    }

    @Override
    public boolean takesLora(String model) {
        return false;
    }

    @Override
    public Job submit(String model, GenerationRequest request, JobOptions options, String owner, int credits,
            Images.Format format) {
        return enqueue(model, request, options, owner, credits, format, 0).job();
    }

    /**
     * The queue bound and the credits in one store transaction ({@link PgStore#enqueue}): a request refused for a
     * full queue never holds credits, so none is refused for credits that would have come back.
     */
    @Override
    public Generations.Submitted submitCharged(CreditLedger ledger, String model, GenerationRequest request,
            JobOptions options, String owner, int credits, Images.Format format) {
        if (ledger != this.credits) {
            return JobService.super.submitCharged(ledger, model, request, options, owner, credits, format);
        }
        return enqueue(model, request, options, owner, credits, format, this.credits.quota(owner));
    }

    private Generations.Submitted enqueue(String model, GenerationRequest request, JobOptions options, String owner,
            int credits, Images.Format format, long quota) {
        if (closed) {
            throw new EngineException(new JobFailure(JobFailure.Kind.SHUTTING_DOWN,
                    "the server is shutting down and takes no new jobs", 30));
        }
        requireModel(model);
        if (options.promptWeighting() && !promptWeighting(model)) {
            throw new EngineException(JobFailure.Kind.BAD_REQUEST, "prompt_weighting is not available for model '"
                    + model + "'");
        }
        String stored = codec.request(request, options, format);
        UUID id = UUID.randomUUID();
        Job job = new Job(id.toString(), model, request, options, owner, credits, System.currentTimeMillis(), format);
        mirrors.put(id, job);
        lastSeen.put(id, System.currentTimeMillis());
        PgStore.Enqueued enqueued;
        try {
            enqueued = store.enqueue(id, model, stored, StoreCredits.hash(owner), credits,
                    this.credits.chargedDay(owner), quota, request.steps(), queueCapacity);
        } catch (RuntimeException e) {
            forget(id);
            throw e;
        }
        switch (enqueued.outcome()) {
            case QUEUED -> {
                return new Generations.Submitted(job, quota > 0 ? enqueued.creditsLeft() : -1);
            }
            case NO_CREDITS -> {
                forget(id);
                throw this.credits.exhausted(owner, credits);
            }
            default -> {
                forget(id);
                int wait = Math.max(1, (int) Math.min(600, Math.ceil(avgJobSeconds * (queueCapacity + 1)
                        / Math.max(1, live.size()))));
                throw new EngineException(new JobFailure(JobFailure.Kind.OVERLOADED, "the shared generation queue"
                        + " is full (" + queueCapacity + " waiting); retry in about " + wait + " s", wait));
            }
        }
    }

    private void forget(UUID id) {
        mirrors.remove(id);
        lastSeen.remove(id);
    }

    @Override
    public Optional<Job> find(String id) {
        UUID uuid;
        try {
            uuid = id == null ? null : UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (uuid == null) {
            return Optional.empty();
        }
        Job m = mirrors.get(uuid);
        if (m != null && m.state().isFinal()) {
            lastSeen.put(uuid, System.currentTimeMillis());
            return Optional.of(m);
        }
        Optional<JobRow> row = store.find(uuid, false);
        if (row.isEmpty()) {
            forget(uuid);
            return Optional.empty();
        }
        return Optional.of(mirror(row.get()));
    }

    /** The mirror of a row, created or brought up to date. */
    private Job mirror(JobRow row) {
        Job job = mirrors.get(row.id());
        if (job == null) {
            JobCodec.Stored s = codec.request(row.request());
            Job fresh = new Job(row.id().toString(), row.model(), s.request(), s.options(),
                    keyByHash.get(row.ownerHash()), row.credits(), row.createdMillis(), s.format());
            job = mirrors.putIfAbsent(row.id(), fresh);
            job = job == null ? fresh : job;
        }
        lastSeen.put(row.id(), System.currentTimeMillis());
        apply(job, row);
        return job;
    }

    /** Moves the mirror forward to the row's state (a mirror never moves back: a requeued job stays PROCESSING). */
    private void apply(Job job, JobRow row) {
        if (job.state().isFinal()) {
            return;
        }
        if (row.state() != PgStore.State.QUEUED && row.startedMillis() > 0) {
            job.start(row.startedMillis());
        }
        switch (row.state()) {
            case PROCESSING -> {
                job.progress(row.step(), row.total());
                if (row.step() > 0) {
                    // the worker's latest preview (a data URL), fetched apart: it is not part of the row's summary
                    store.preview(row.id()).ifPresent(p -> job.preview(new String(p, StandardCharsets.US_ASCII)));
                }
            }
            case COMPLETED -> {
                List<byte[]> images = row.images();
                if (images.isEmpty()) {
                    images = store.find(row.id(), true).map(JobRow::images).orElse(List.of());
                }
                long elapsed = codec.elapsedMillis(row.result());
                if (job.completeEncoded(images, codec.parameters(row.result()), elapsed, row.finishedMillis())) {
                    avgJobSeconds = 0.7 * avgJobSeconds + 0.3 * Math.max(0.01, elapsed / 1000.0);
                }
            }
            case FAILED -> job.finish(null, new JobFailure(JobFailure.Kind.valueOf(row.failureKind()),
                    row.failureMessage(), row.retryAfter()), row.finishedMillis());
            case QUEUED -> { }
        }
    }

    private void onEvent(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return;
        }
        if (!mirrors.containsKey(uuid)) {
            return;
        }
        try {
            store.find(uuid, false).ifPresent(this::mirror);
        } catch (RuntimeException e) {
            // the poll catches up
        }
    }

    /** Brings every unfinished mirror up to date in one query, and forgets finished ones nobody looked at lately. */
    private void poll() {
        long now = System.currentTimeMillis();
        List<UUID> open = new ArrayList<>();
        for (var e : mirrors.entrySet()) {
            if (!e.getValue().state().isFinal()) {
                open.add(e.getKey());
            } else if (now - lastSeen.getOrDefault(e.getKey(), 0L) > MIRROR_KEEP_MILLIS) {
                forget(e.getKey());
            }
        }
        for (JobRow r : store.findAll(open)) {
            mirror(r);
        }
    }

    @Override
    public Optional<Job> current() {
        return store.oldestRunning().flatMap(id -> find(id.toString()));
    }

    @Override
    public int queueDepth() {
        return store.countByState().getOrDefault(PgStore.State.QUEUED, 0);
    }

    /** Jobs in the store by state, for /metrics. */
    Map<JobState, Integer> countByState() {
        Map<JobState, Integer> m = new java.util.EnumMap<>(JobState.class);
        store.countByState().forEach((s, n) -> m.put(JobState.valueOf(s.name()), n));
        return m;
    }

    @Override
    public int position(Job job) {
        return store.position(UUID.fromString(job.id()));
    }

    @Override
    public double averageJobSeconds() {
        return avgJobSeconds;
    }

    @Override
    public void cancel(Job job, String why) {
        job.cancel(why);
        UUID id = UUID.fromString(job.id());
        store.cancel(id, why);
        store.find(id, false).ifPresent(this::mirror);
    }

    @Override
    public java.time.Duration syncTimeout() {
        return syncTimeout;
    }

    @Override
    public boolean isAccepting() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        listener.close();
    }
}

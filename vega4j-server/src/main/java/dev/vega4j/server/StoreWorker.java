package dev.vega4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.server.store.JobRow;
import dev.vega4j.server.store.PgStore;
import dev.vega4j.server.store.Renewal;
import dev.vega4j.server.store.StoreListener;
import dev.vega4j.server.store.StoreUnavailableException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker of {@code vega serve --store}: claims one job at a time from the shared queue, runs it on this process's
 * {@link GenerationEngine} (so a job runs exactly as in the embedded server: adapters, progress, failure kinds), and
 * writes the outcome back. A heartbeat renews the job's lease, records its progress and passes on a client's
 * cancellation; a worker that lost its lease drops the job (another worker has it). A result that cannot be written
 * because the store is down is kept and written when it is back. Stopping finishes the running job within the grace,
 * or hands it back to the queue.
 */
final class StoreWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreWorker.class);
    private static final String ROLE = "worker";

    /** The job being run: its row's id and attempt, the local job, and what the heartbeat learnt. */
    private static final class Running {
        final UUID id;
        final int attempt;
        volatile Job job;
        volatile boolean lost;
        volatile int lastStep = -1;
        volatile String lastPreview;

        Running(UUID id, int attempt) {
            this.id = id;
            this.attempt = attempt;
        }
    }

    private final PgStore store;
    private final GenerationEngine engine;
    private final JobCodec codec;
    private final Metrics metrics;
    private final Duration grace;
    private final String id;
    private final String host;
    private final String registration;
    private final Semaphore wake = new Semaphore(0);
    private final StoreListener listener;
    private final ScheduledExecutorService beat;
    private final Thread loop;
    private volatile Running running;
    private volatile boolean stopping;
    private volatile boolean handBack;
    private volatile boolean storeDown;

    StoreWorker(PgStore store, GenerationEngine engine, JobCodec codec, ObjectMapper json, Metrics metrics,
            StoreSettings settings, Duration grace) {
        this.store = store;
        this.engine = engine;
        this.codec = codec;
        this.metrics = metrics;
        this.grace = grace;
        this.host = hostName();
        this.id = host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.registration = StoreJobs.registration(json, engine);
        store.workerBeat(id, host, registration, null);
        this.listener = new StoreListener(store.url(), List.of(PgStore.JOBS_QUEUED), (ch, p) -> wake.release());
        this.beat = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true)
                .name("vega-worker-beat").unstarted(r));
        long every = settings.beat().toMillis();
        beat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
        this.loop = Thread.ofPlatform().name("vega-worker").unstarted(this::runLoop);
        loop.start();
        LOG.info("worker {} serving {} from the store {}", id, engine.models().keySet(), store.url().display());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    String id() {
        return id;
    }

    private void runLoop() {
        while (!stopping) {
            Optional<JobRow> claimed;
            try {
                claimed = store.claim(id, engine.models().keySet());
                storeUp();
            } catch (StoreUnavailableException e) {
                storeDown(e);
                GenerationEngine.sleep(1000);
                continue;
            }
            if (claimed.isEmpty()) {
                try {
                    wake.tryAcquire(1, TimeUnit.SECONDS);
                    wake.drainPermits();
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            metrics.storeEvent(ROLE, "claimed");
            run(claimed.get());
        }
    }

    private void run(JobRow row) {
        Running r = new Running(row.id(), row.attempts());
        if (row.cancelReason() != null) {
            fail(r, JobFailure.of(JobFailure.Kind.CANCELLED, row.cancelReason()));
            return;
        }
        Job job;
        try {
            JobCodec.Stored s = codec.request(row.request());
            job = engine.submit(row.model(), s.request(), s.options(), null, row.credits(), s.format());
        } catch (EngineException e) {
            fail(r, e.failure());
            return;
        } catch (RuntimeException e) {
            LOG.error("job {}: the stored request cannot be run", row.id(), e);
            fail(r, JobFailure.of(JobFailure.Kind.MODEL_FAILURE, "the stored request cannot be run: "
                    + e.getMessage()));
            return;
        }
        r.job = job;
        running = r;
        job.done().join();
        running = null;
        if (r.lost) {
            metrics.storeEvent(ROLE, "lease_lost");
            LOG.warn("job {}: lost its lease while running; another worker takes it", row.id());
            return;
        }
        if (job.state() == JobState.COMPLETED) {
            List<byte[]> images = job.encodedImages();
            String result = codec.result(job.result());
            boolean written = write(() -> store.complete(r.id, images, result));
            metrics.storeEvent(ROLE, written ? "completed" : "completed_duplicate");
        } else if (handBack) {
            write(() -> store.release(r.id, id, r.attempt));
            metrics.storeEvent(ROLE, "handed_back");
        } else {
            fail(r, job.failure());
        }
    }

    private void fail(Running r, JobFailure f) {
        write(() -> store.fail(r.id, id, r.attempt, f.kind().name(), f.message(), f.retryAfterSeconds()));
        metrics.storeEvent(ROLE, "failed");
    }

    /** Writes an outcome, waiting for the store when it is down (a finished job's result is never dropped). */
    private boolean write(java.util.function.BooleanSupplier write) {
        while (true) {
            try {
                boolean done = write.getAsBoolean();
                storeUp();
                return done;
            } catch (StoreUnavailableException e) {
                storeDown(e);
                GenerationEngine.sleep(1000);
            }
        }
    }

    private void beat() {
        Running r = running;
        try {
            store.workerBeat(id, host, registration, r == null ? null : r.id);
            Job job = r == null ? null : r.job;
            if (job != null && !job.state().isFinal() && !r.lost) {
                int step = job.step();
                Renewal renewal = store.renew(r.id, id, r.attempt, step, job.total(), step != r.lastStep);
                r.lastStep = step;
                // the latest live preview travels with the beat: api nodes mirror it into their copy of the job
                String preview = job.preview();
                if (renewal.held() && preview != null && !preview.equals(r.lastPreview)) {
                    store.setPreview(r.id, id, r.attempt, preview.getBytes(StandardCharsets.US_ASCII));
                    r.lastPreview = preview;
                }
                if (!renewal.held()) {
                    r.lost = true;
                    engine.cancel(job, "the worker lost the job's lease");
                } else if (renewal.cancelReason() != null) {
                    engine.cancel(job, renewal.cancelReason());
                }
            }
            storeUp();
        } catch (StoreUnavailableException e) {
            storeDown(e);
        } catch (RuntimeException e) {
            LOG.warn("worker heartbeat failed", e);
        }
    }

    private void storeDown(StoreUnavailableException e) {
        if (!storeDown) {
            storeDown = true;
            LOG.warn("{}; the worker keeps its job and retries", e.getMessage());
        }
    }

    private void storeUp() {
        if (storeDown) {
            storeDown = false;
            LOG.info("the store is back");
        }
    }

    /**
     * Graceful stop: claims nothing more, lets the running job finish within the grace, else stops it and hands it
     * back to the queue (the attempt is not counted), then signs off.
     */
    @Override
    public void close() {
        stopping = true;
        wake.release();
        Running r = running;
        if (r != null && r.job != null) {
            try {
                r.job.done().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                handBack = true;
                engine.cancel(r.job, "the worker is stopping");
            }
        }
        try {
            loop.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        beat.shutdownNow();
        listener.close();
        try {
            store.workerStopped(id);
        } catch (StoreUnavailableException e) {
            LOG.warn("could not sign off from the store: {}", e.getMessage());
        }
    }
}

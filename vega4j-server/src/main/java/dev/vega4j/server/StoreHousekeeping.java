package dev.vega4j.server;

import dev.vega4j.server.store.PgStore;
import dev.vega4j.server.store.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What any node of the shared store does in the background: takes back the jobs of dead workers every beat (
 * {@link PgStore#reap}: requeued, or failed after the last attempt) and deletes results older than the TTL each
 * minute. Every node does it, so it happens as long as one node runs; the store makes concurrent runs harmless.
 * Also watches whether the store is reachable, for /health and the log.
 */
final class StoreHousekeeping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreHousekeeping.class);
    private static final long PURGE_EVERY_MILLIS = 60_000;

    private final PgStore store;
    private final StoreSettings settings;
    private final Duration resultTtl;
    private final Metrics metrics;
    private final ScheduledExecutorService timer;
    private volatile String downReason;
    private long lastPurge;

    StoreHousekeeping(PgStore store, StoreSettings settings, Duration resultTtl, Metrics metrics) {
        this.store = store;
        this.settings = settings;
        this.resultTtl = resultTtl;
        this.metrics = metrics;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true)
                .name("vega-store-housekeeping").unstarted(r));
        long beat = settings.beat().toMillis();
        timer.scheduleWithFixedDelay(this::tick, beat, beat, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            PgStore.Reaped r = store.reap(settings.maxAttempts());
            String role = settings.role().label();
            for (var id : r.requeued()) {
                metrics.storeEvent(role, "requeued");
                LOG.warn("job {}: its worker stopped renewing the lease; back in the queue", id);
            }
            for (var id : r.failed()) {
                metrics.storeEvent(role, "failed_after_attempts");
                LOG.warn("job {}: its workers stopped responding {} times; failed", id, settings.maxAttempts());
            }
            long now = System.currentTimeMillis();
            if (now - lastPurge > PURGE_EVERY_MILLIS) {
                lastPurge = now;
                store.purge(resultTtl);
            }
            if (downReason != null) {
                LOG.info("the store {} is reachable again", store.url().display());
            }
            downReason = null;
        } catch (StoreUnavailableException e) {
            if (downReason == null) {
                LOG.warn("{}; retrying", e.getMessage());
            }
            downReason = e.getMessage();
        } catch (RuntimeException e) {
            LOG.warn("store housekeeping failed", e);
        }
    }

    /** Why the store was unreachable at the last beat, or null when it was fine. */
    String downReason() {
        return downReason;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

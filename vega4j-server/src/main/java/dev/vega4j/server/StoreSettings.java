package dev.vega4j.server;

import dev.vega4j.server.store.StoreUrl;
import java.time.Duration;

/**
 * How a node joins the shared store ({@code vega serve --store URL --role R}).
 *
 * @param url         the PostgreSQL server
 * @param role        what this node does
 * @param lease       how long a claimed job stays its worker's without a heartbeat (a dead worker's job is back in
 *                    the queue this long after its last heartbeat)
 * @param maxAttempts runs of one job before it fails for good (a job whose workers keep dying)
 * @param syncTimeout how long a synchronous request waits for its job (then it is cancelled and answered 504): with
 *                    workers elsewhere a job may wait for one that never comes
 */
public record StoreSettings(StoreUrl url, ServerRole role, Duration lease, int maxAttempts, Duration syncTimeout) {
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofMinutes(10);

    public StoreSettings {
        if (lease.toMillis() < 1000) {
            throw new IllegalArgumentException("the lease must be at least a second");
        }
        if (syncTimeout.isNegative() || syncTimeout.isZero()) {
            throw new IllegalArgumentException("the sync timeout must be positive");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be >= 1");
        }
    }

    public static StoreSettings of(StoreUrl url, ServerRole role) {
        return new StoreSettings(url, role, DEFAULT_LEASE, DEFAULT_MAX_ATTEMPTS, DEFAULT_SYNC_TIMEOUT);
    }

    /** How often workers renew leases and api nodes poll: a fifth of the lease, so a few missed beats are fine. */
    Duration beat() {
        return lease.dividedBy(5);
    }
}

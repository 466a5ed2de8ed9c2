package dev.vega4j.server;

import dev.vega4j.server.store.PgStore;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.function.ToLongFunction;

/**
 * The daily credits of {@link QuotaStore}, kept in the shared store so every api node charges the same ledger: one
 * conditional upsert per reservation ({@link PgStore#reserve}), refunds of failed jobs in the transaction that fails
 * them. Keys are stored as SHA-256 hashes.
 */
final class StoreCredits implements CreditLedger, RateLimit {
    private final PgStore store;
    private final ToLongFunction<String> quotaOf;
    private final int perMinute;
    private final Clock clock;

    StoreCredits(PgStore store, ToLongFunction<String> quotaOf, int rateLimitPerMinute, Clock clock) {
        this.store = store;
        this.quotaOf = quotaOf;
        this.perMinute = rateLimitPerMinute;
        this.clock = clock;
    }

    /** The key as the store keeps it (SHA-256, as {@link QuotaStore}); null stays null. */
    static String hash(String key) {
        return key == null ? null : QuotaStore.id(key);
    }

    int today() {
        return (int) LocalDate.now(clock.withZone(ZoneOffset.UTC)).toEpochDay();
    }

    private boolean limited(String key) {
        return key != null && quotaOf.applyAsLong(key) > 0;
    }

    /** The day a job of {@code key} is charged on, or null when the key has no quota. */
    Integer chargedDay(String key) {
        return limited(key) ? today() : null;
    }

    @Override
    public long reserve(String key, int n) {
        if (!limited(key)) {
            return -1;
        }
        long quota = quotaOf.applyAsLong(key);
        int day = today();
        long left = store.reserve(hash(key), n, quota, day);
        if (left < 0) {
            throw exhausted(key, n);
        }
        return left;
    }

    /** The key's daily quota, 0 when it has none. */
    long quota(String key) {
        return limited(key) ? quotaOf.applyAsLong(key) : 0;
    }

    /** The 406 for a request needing {@code n} credits more than the key has left today. */
    ApiException exhausted(String key, int n) {
        long quota = quotaOf.applyAsLong(key);
        long remaining = Math.max(0, quota - store.used(hash(key), today()));
        return new ApiException(406, "credits_exhausted", "not enough credits: this request needs " + n
                + ", " + remaining + " of " + quota + " left today; the quota resets at 00:00 UTC");
    }

    @Override
    public void refund(String key, int n) {
        if (limited(key)) {
            store.refund(hash(key), n, today());
        }
    }

    @Override
    public long remaining(String key) {
        if (!limited(key)) {
            return -1;
        }
        return Math.max(0, quotaOf.applyAsLong(key) - store.used(hash(key), today()));
    }

    @Override
    public void refundIfFails(Job job) {
        // the store refunds in the transaction that fails the job
    }

    @Override
    public void acquire(String key) {
        if (perMinute <= 0) {
            return;
        }
        int wait = store.takeToken(key == null ? "" : hash(key), perMinute);
        if (wait > 0) {
            throw new ApiException(429, "rate_limited", "rate limit of " + perMinute
                    + " requests per minute exceeded; retry in " + wait + " s", wait);
        }
    }

    @Override
    public void close() {
        // the store is closed by its owner
    }
}

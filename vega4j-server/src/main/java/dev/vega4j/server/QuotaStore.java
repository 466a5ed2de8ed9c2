package dev.vega4j.server;

import dev.vega4j.VegaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * Daily per-key generation quotas, like Segmind's free tier: each image counts one credit, the count resets at 00:00
 * UTC. Stored in H2's MVStore (an append-only file with atomic commits), so a crash mid-write never corrupts it and
 * quotas survive a restart. Keys are stored as SHA-256 hashes, never in clear.
 */
public final class QuotaStore implements CreditLedger {
    private final MVStore store;
    private final MVMap<String, String> usage;
    private final ConcurrentHashMap<String, String> memory;
    private final ToLongFunction<String> quotaOf;
    private final Clock clock;

    /**
     * @param file    the MVStore file, or null to keep counts in memory only
     * @param quotaOf key -> daily quota (0 = unlimited)
     */
    public QuotaStore(Path file, ToLongFunction<String> quotaOf, Clock clock) {
        this.quotaOf = quotaOf;
        this.clock = clock;
        if (file == null) {
            store = null;
            usage = null;
            memory = new ConcurrentHashMap<>();
            return;
        }
        memory = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        } catch (Exception e) {
            throw new VegaException("cannot open the quota store " + file + " (is another vega server using it?): "
                    + e.getMessage(), e);
        }
        usage = store.openMap("daily-usage");
    }

    /** The key whose quota is looked up by {@link #quotaOf}; a hash so callers can pass the raw key. */
    static String id(String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private long today() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC)).toEpochDay();
    }

    private long usedToday(String id) {
        String v = memory != null ? memory.get(id) : usage.get(id);
        if (v == null) {
            return 0;
        }
        int bar = v.indexOf('|');
        long day = Long.parseLong(v.substring(0, bar));
        return day == today() ? Long.parseLong(v.substring(bar + 1)) : 0;
    }

    private void setUsed(String id, long used) {
        String v = today() + "|" + used;
        if (memory != null) {
            memory.put(id, v);
        } else {
            usage.put(id, v);
            store.commit();
        }
    }

    /** Whether the key has a limit at all. */
    public boolean limited(String key) {
        return key != null && quotaOf.applyAsLong(key) > 0;
    }

    /**
     * Takes {@code n} credits; returns what is left, or throws 406 when fewer than {@code n} remain. Unlimited keys
     * return -1.
     */
    @Override
    public synchronized long reserve(String key, int n) {
        if (!limited(key)) {
            return -1;
        }
        long quota = quotaOf.applyAsLong(key);
        String id = id(key);
        long used = usedToday(id);
        if (used + n > quota) {
            long left = Math.max(0, quota - used);
            throw new ApiException(406, "credits_exhausted", "not enough credits: this request needs " + n
                    + ", " + left + " of " + quota + " left today; the quota resets at 00:00 UTC");
        }
        setUsed(id, used + n);
        return quota - used - n;
    }

    @Override
    public void refundIfFails(Job job) {
        job.done().thenAccept(j -> {
            if (j.state() == JobState.FAILED) {
                refund(j.owner(), j.credits());
            }
        });
    }

    /** Gives back credits of a generation that failed or was cancelled. */
    @Override
    public synchronized void refund(String key, int n) {
        if (!limited(key)) {
            return;
        }
        String id = id(key);
        setUsed(id, Math.max(0, usedToday(id) - n));
    }

    /** Credits left today, or -1 for unlimited keys. */
    @Override
    public synchronized long remaining(String key) {
        if (!limited(key)) {
            return -1;
        }
        return Math.max(0, quotaOf.applyAsLong(key) - usedToday(id(key)));
    }

    @Override
    public synchronized void close() {
        if (store != null && !store.isClosed()) {
            store.close();
        }
    }
}

package dev.vega4j.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vega4j.VegaException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * The shared store of {@code vega serve --store}: jobs queue, results, worker registrations, the credits ledger and
 * rate-limit buckets in PostgreSQL. Every method is one short transaction; the store's clock
 * ({@code clock_timestamp()}) times leases, so the nodes' clocks need not agree. A failure to reach the store is a
 * {@link StoreUnavailableException}, never a lost write that was reported as done: a job is accepted only once its
 * row is committed.
 *
 * <p>Queue: workers claim the oldest queued job of a model they serve with {@code SELECT ... FOR UPDATE SKIP LOCKED}
 * (claims never wait on each other and never take the same row), which starts a lease the worker renews; a job whose
 * lease ran out goes back to the queue ({@link #reap}) until its attempts are used up. A result is written once: the
 * transition to a final state is conditional on the job not being final, and the images are written in the same
 * transaction.
 *
 * <p>Changes are announced with {@code NOTIFY} on {@link #JOB_EVENTS} (payload: the job id) and, for new work, on
 * {@link #JOBS_QUEUED}; listeners must still poll, since a notification is lost while their connection is down.
 */
public final class PgStore implements AutoCloseable {
    /** Channel announcing a job's change of state or progress; the payload is its id. */
    public static final String JOB_EVENTS = "vega_job_events";
    /** Channel announcing that a job was queued (or requeued). */
    public static final String JOBS_QUEUED = "vega_jobs_queued";
    /** Advisory lock serialising admissions, so the queue-depth bound is exact across api nodes. */
    private static final long QUEUE_LOCK = 0x7665676171756575L;
    private static final String JOB_COLUMNS = "id, model, request::text, owner_hash, credits, state, attempts,"
            + " worker_id, cancel_reason, step, total, created_at, started_at, finished_at, result::text,"
            + " failure_kind, failure_message, retry_after";

    /** A job's state as the jobs table stores it (the server's {@code JobState} names). */
    public enum State { QUEUED, PROCESSING, COMPLETED, FAILED }

    private final StoreUrl url;
    private final HikariDataSource pool;
    private final Duration lease;

    private PgStore(StoreUrl url, HikariDataSource pool, Duration lease) {
        this.url = url;
        this.pool = pool;
        this.lease = lease;
    }

    /**
     * Connects (a pool of up to {@code poolSize} connections) and brings the schema up to date with Flyway. Fails with
     * a {@link VegaException} naming the store when it cannot be reached.
     */
    public static PgStore open(StoreUrl url, Duration lease, int poolSize) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url.jdbcUrl());
        cfg.setUsername(url.user());
        cfg.setPassword(url.password());
        cfg.setMaximumPoolSize(poolSize);
        cfg.setMinimumIdle(1);
        cfg.setPoolName("vega-store");
        // a request waits at most this long for a connection while the store is down, then gets its 503
        cfg.setConnectionTimeout(3_000);
        cfg.setValidationTimeout(1_000);
        cfg.addDataSourceProperty("connectTimeout", "3");
        cfg.addDataSourceProperty("socketTimeout", "30");
        cfg.addDataSourceProperty("ApplicationName", "vega4j");
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(cfg);
        } catch (RuntimeException e) {
            throw new VegaException("cannot reach the store " + url.display() + ": " + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(ds).locations("classpath:dev/vega4j/server/store/migration")
                    .table("vega_schema_history").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new VegaException("cannot set up the store's schema at " + url.display() + ": " + rootMessage(e), e);
        }
        return new PgStore(url, ds, lease);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    public StoreUrl url() {
        return url;
    }

    /** How long a claimed job stays a worker's without a renewal. */
    public Duration lease() {
        return lease;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T tx(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T r = work.run(c);
                c.commit();
                return r;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the pool discards it
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("the store (" + url.display() + ") is unavailable: "
                    + rootMessage(e), e);
        }
    }

    private static void notify(Connection c, String channel, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, id.toString());
            ps.execute();
        }
    }

    private static long millis(Timestamp t) {
        return t == null ? 0 : t.getTime();
    }

    private static JobRow row(ResultSet rs, List<byte[]> images) throws SQLException {
        return new JobRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                State.valueOf(rs.getString(6)), rs.getInt(7), rs.getString(8), rs.getString(9), rs.getInt(10), rs.getInt(11),
                millis(rs.getTimestamp(12)), millis(rs.getTimestamp(13)), millis(rs.getTimestamp(14)),
                rs.getString(15), rs.getString(16), rs.getString(17), rs.getInt(18), images);
    }

    // ---- credits ----

    /**
     * Takes {@code n} of the key's {@code quota} credits for UTC epoch day {@code day} in one conditional upsert
     * ({@code INSERT ... ON CONFLICT DO UPDATE ... WHERE used + n <= quota RETURNING}): exact under any number of
     * concurrent api nodes. Returns the credits left, or -1 (nothing taken) when fewer than {@code n} remain.
     */
    public long reserve(String keyHash, int n, long quota, int day) {
        if (n > quota) {
            return -1;
        }
        return tx(c -> reserve(c, keyHash, n, quota, day));
    }

    private static long reserve(Connection c, String keyHash, int n, long quota, int day) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO vega_credit_usage AS u (key_hash, day, used)"
                + " VALUES (?, ?, ?) ON CONFLICT (key_hash) DO UPDATE SET"
                + " used = CASE WHEN u.day = EXCLUDED.day THEN u.used + EXCLUDED.used ELSE EXCLUDED.used END,"
                + " day = EXCLUDED.day"
                + " WHERE CASE WHEN u.day = EXCLUDED.day THEN u.used ELSE 0 END + EXCLUDED.used <= ?"
                + " RETURNING used")) {
            ps.setString(1, keyHash);
            ps.setInt(2, day);
            ps.setLong(3, n);
            ps.setLong(4, quota);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? quota - rs.getLong(1) : -1L;
            }
        }
    }

    /** Credits the key used on {@code day}. */
    public long used(String keyHash, int day) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT used FROM vega_credit_usage WHERE key_hash = ? AND day = ?")) {
                ps.setString(1, keyHash);
                ps.setInt(2, day);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** Gives back {@code n} credits charged on {@code day} (a later day's count is not touched). */
    public void refund(String keyHash, int n, int day) {
        tx(c -> {
            refund(c, keyHash, n, day);
            return null;
        });
    }

    private static void refund(Connection c, String keyHash, int n, Integer day) throws SQLException {
        if (keyHash == null || day == null || n <= 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE vega_credit_usage SET used = greatest(0, used - ?)"
                + " WHERE key_hash = ? AND day = ?")) {
            ps.setLong(1, n);
            ps.setString(2, keyHash);
            ps.setInt(3, day);
            ps.executeUpdate();
        }
    }

    /** Refunds the credits of jobs just failed, from rows {@code owner_hash, credits, credits_day}. */
    private static void refundAll(Connection c, ResultSet failed, List<UUID> ids) throws SQLException {
        List<Object[]> refunds = new ArrayList<>();
        while (failed.next()) {
            ids.add(failed.getObject(1, UUID.class));
            refunds.add(new Object[] {failed.getString(2), failed.getInt(3), (Integer) failed.getObject(4)});
        }
        for (Object[] r : refunds) {
            refund(c, (String) r[0], (Integer) r[1], (Integer) r[2]);
        }
    }

    // ---- rate limit ----

    /**
     * Takes one token from the key's bucket ({@code perMinute} tokens, refilled continuously) in one conditional
     * upsert; returns 0, or (nothing taken) the seconds until a token is back.
     */
    public int takeToken(String keyHash, int perMinute) {
        return tx(c -> {
            String refill = "least(?, b.tokens + extract(epoch FROM now() - b.updated_at) * ? / 60.0)";
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO vega_rate_buckets AS b (key_hash, tokens,"
                    + " updated_at) VALUES (?, ?, now()) ON CONFLICT (key_hash) DO UPDATE SET tokens = " + refill
                    + " - 1, updated_at = now() WHERE " + refill + " >= 1 RETURNING tokens")) {
                ps.setString(1, keyHash);
                ps.setDouble(2, perMinute - 1);
                ps.setDouble(3, perMinute);
                ps.setDouble(4, perMinute);
                ps.setDouble(5, perMinute);
                ps.setDouble(6, perMinute);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return 0;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT " + refill
                    + " FROM vega_rate_buckets b WHERE key_hash = ?")) {
                ps.setDouble(1, perMinute);
                ps.setDouble(2, perMinute);
                ps.setString(3, keyHash);
                try (ResultSet rs = ps.executeQuery()) {
                    double tokens = rs.next() ? rs.getDouble(1) : 0;
                    return Math.max(1, (int) Math.ceil((1 - tokens) * 60.0 / perMinute));
                }
            }
        });
    }

    // ---- jobs: api side ----

    /**
     * Queues a job unless {@code capacity} jobs already wait in the shared queue (then false, nothing written).
     * Admissions are serialised by a transaction-scoped advisory lock so the bound holds across api nodes.
     */
    public boolean enqueue(UUID id, String model, String requestJson, String ownerHash, int credits,
            Integer creditsDay, int total, int capacity) {
        return enqueue(id, model, requestJson, ownerHash, credits, creditsDay, 0, total, capacity).outcome()
                == Enqueued.Outcome.QUEUED;
    }

    /** What {@link #enqueue} did: queued, with the charged key's credits left (-1: nothing charged), or why not. */
    public record Enqueued(Outcome outcome, long creditsLeft) {
        public enum Outcome { QUEUED, QUEUE_FULL, NO_CREDITS }
    }

    /**
     * Queues a job and, when {@code quota} > 0, charges its {@code credits} to the key for {@code creditsDay} in the
     * same transaction, after the queue bound: a request refused for a full queue never held credits, so another is
     * never refused for credits that come back a moment later (exact across api nodes).
     */
    public Enqueued enqueue(UUID id, String model, String requestJson, String ownerHash, int credits,
            Integer creditsDay, long quota, int total, int capacity) {
        boolean charge = quota > 0 && ownerHash != null && creditsDay != null;
        if (charge && credits > quota) {
            return new Enqueued(Enqueued.Outcome.NO_CREDITS, -1);
        }
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, QUEUE_LOCK);
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM vega_jobs WHERE state = 'QUEUED'");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) >= capacity) {
                    return new Enqueued(Enqueued.Outcome.QUEUE_FULL, -1);
                }
            }
            long left = -1;
            if (charge) {
                left = reserve(c, ownerHash, credits, quota, creditsDay);
                if (left < 0) {
                    return new Enqueued(Enqueued.Outcome.NO_CREDITS, -1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO vega_jobs (id, model, request, owner_hash,"
                    + " credits, credits_day, total) VALUES (?, ?, ?::jsonb, ?, ?, ?, ?)")) {
                ps.setObject(1, id);
                ps.setString(2, model);
                ps.setString(3, requestJson);
                ps.setString(4, ownerHash);
                ps.setInt(5, credits);
                if (creditsDay == null) {
                    ps.setNull(6, Types.INTEGER);
                } else {
                    ps.setInt(6, creditsDay);
                }
                ps.setInt(7, total);
                ps.executeUpdate();
            }
            notify(c, JOBS_QUEUED, id);
            return new Enqueued(Enqueued.Outcome.QUEUED, left);
        });
    }

    /** The job, with its images when {@code withImages} and it completed. */
    public Optional<JobRow> find(UUID id, boolean withImages) {
        return tx(c -> {
            JobRow r;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM vega_jobs WHERE id = ?")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    r = row(rs, List.of());
                }
            }
            if (withImages && r.state() == State.COMPLETED) {
                List<byte[]> images = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT bytes FROM vega_job_images WHERE job_id = ? ORDER BY idx")) {
                    ps.setObject(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            images.add(rs.getBytes(1));
                        }
                    }
                }
                r = new JobRow(r.id(), r.model(), r.request(), r.ownerHash(), r.credits(), r.state(), r.attempts(),
                        r.workerId(), r.cancelReason(), r.step(), r.total(), r.createdMillis(), r.startedMillis(),
                        r.finishedMillis(), r.result(), r.failureKind(), r.failureMessage(), r.retryAfter(),
                        List.copyOf(images));
            }
            return Optional.of(r);
        });
    }

    /** The jobs among {@code ids} (without images): one query for all the jobs a node is waiting on. */
    public List<JobRow> findAll(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return tx(c -> {
            List<JobRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS
                    + " FROM vega_jobs WHERE id = ANY(?)")) {
                Array arr = c.createArrayOf("uuid", ids.toArray());
                ps.setArray(1, arr);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs, List.of()));
                    }
                }
            }
            return out;
        });
    }

    /** 1-based place of a queued job in the shared queue (0 when it is not queued). */
    public int position(UUID id) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM vega_jobs q, vega_jobs j"
                    + " WHERE j.id = ? AND j.state = 'QUEUED' AND q.state = 'QUEUED' AND q.created_at <= j.created_at")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    /** Jobs in the store by state. */
    public Map<State, Integer> countByState() {
        return tx(c -> {
            Map<State, Integer> m = new EnumMap<>(State.class);
            try (PreparedStatement ps = c.prepareStatement("SELECT state, count(*) FROM vega_jobs GROUP BY state");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    m.put(State.valueOf(rs.getString(1)), rs.getInt(2));
                }
            }
            return m;
        });
    }

    /** The job running longest, if any (AUTOMATIC1111's single "current job"). */
    public Optional<UUID> oldestRunning() {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM vega_jobs WHERE state = 'PROCESSING'"
                    + " ORDER BY started_at LIMIT 1"); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.<UUID>empty();
            }
        });
    }

    /**
     * Stops a job: a queued one fails at once as CANCELLED (credits refunded); a running one is marked, and its
     * worker stops it between steps. Returns whether the job was still running or queued.
     */
    public boolean cancel(UUID id, String reason) {
        return tx(c -> {
            List<UUID> failed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET state = 'FAILED', failure_kind ="
                    + " 'CANCELLED', failure_message = ?, cancel_reason = ?, finished_at = clock_timestamp()"
                    + " WHERE id = ? AND state = 'QUEUED' RETURNING id, owner_hash, credits, credits_day")) {
                ps.setString(1, reason);
                ps.setString(2, reason);
                ps.setObject(3, id);
                try (ResultSet rs = ps.executeQuery()) {
                    refundAll(c, rs, failed);
                }
            }
            if (!failed.isEmpty()) {
                notify(c, JOB_EVENTS, id);
                return true;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET cancel_reason = coalesce("
                    + "cancel_reason, ?) WHERE id = ? AND state = 'PROCESSING'")) {
                ps.setString(1, reason);
                ps.setObject(2, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    // ---- jobs: worker side ----

    /**
     * Claims the oldest queued job of one of {@code models} for {@code workerId}: PROCESSING, one more attempt, a
     * fresh lease. Empty when there is none.
     */
    public Optional<JobRow> claim(String workerId, Collection<String> models) {
        return tx(c -> {
            JobRow r;
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET state = 'PROCESSING', attempts ="
                    + " attempts + 1, worker_id = ?, lease_until = clock_timestamp() + make_interval(secs => ?),"
                    + " started_at = clock_timestamp(), step = 0 WHERE id = (SELECT id FROM vega_jobs"
                    + " WHERE state = 'QUEUED' AND model = ANY(?) ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
                    + " RETURNING " + JOB_COLUMNS)) {
                ps.setString(1, workerId);
                ps.setDouble(2, lease.toMillis() / 1000.0);
                ps.setArray(3, c.createArrayOf("text", models.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<JobRow>empty();
                    }
                    r = row(rs, List.of());
                }
            }
            notify(c, JOB_EVENTS, r.id());
            return Optional.of(r);
        });
    }

    /**
     * Renews the lease of attempt {@code attempt} of a job {@code workerId} holds and records its progress
     * (announced when the step changed).
     */
    public Renewal renew(UUID id, String workerId, int attempt, int step, int total, boolean announce) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET lease_until = clock_timestamp()"
                    + " + make_interval(secs => ?), step = ?, total = ? WHERE id = ? AND worker_id = ?"
                    + " AND attempts = ? AND state = 'PROCESSING' RETURNING cancel_reason")) {
                ps.setDouble(1, lease.toMillis() / 1000.0);
                ps.setInt(2, step);
                ps.setInt(3, total);
                ps.setObject(4, id);
                ps.setString(5, workerId);
                ps.setInt(6, attempt);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new Renewal(false, null);
                    }
                    String reason = rs.getString(1);
                    if (announce) {
                        notify(c, JOB_EVENTS, id);
                    }
                    return new Renewal(true, reason);
                }
            }
        });
    }

    /**
     * Stores the latest preview image of a running job (null clears it); ignored unless {@code workerId} holds it.
     * Announced like progress.
     */
    public boolean setPreview(UUID id, String workerId, int attempt, byte[] image) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET preview = ? WHERE id = ?"
                    + " AND worker_id = ? AND attempts = ? AND state = 'PROCESSING'")) {
                ps.setBytes(1, image);
                ps.setObject(2, id);
                ps.setString(3, workerId);
                ps.setInt(4, attempt);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            notify(c, JOB_EVENTS, id);
            return true;
        });
    }

    /** The latest preview image of a job, if one was stored. */
    public Optional<byte[]> preview(UUID id) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT preview FROM vega_jobs WHERE id = ?")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.<byte[]>empty();
                }
            }
        });
    }

    /**
     * Writes a job's result once: COMPLETED with {@code images} and {@code resultJson}, unless the job is already
     * final (then false and nothing changes). Accepted from any worker that ran it, also one whose lease ran out: the
     * first result wins, a retried job never gets a second.
     */
    public boolean complete(UUID id, List<byte[]> images, String resultJson) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET state = 'COMPLETED', result ="
                    + " ?::jsonb, finished_at = clock_timestamp(), step = total, lease_until = NULL, preview = NULL"
                    + " WHERE id = ? AND state IN ('QUEUED', 'PROCESSING')")) {
                ps.setString(1, resultJson);
                ps.setObject(2, id);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO vega_job_images (job_id, idx, bytes) VALUES (?, ?, ?)")) {
                for (int i = 0; i < images.size(); i++) {
                    ps.setObject(1, id);
                    ps.setInt(2, i);
                    ps.setBytes(3, images.get(i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            notify(c, JOB_EVENTS, id);
            return true;
        });
    }

    /**
     * Fails the job {@code workerId} holds (attempt {@code attempt}) with the failure's kind and message and refunds
     * its credits, in one transaction; false when the worker no longer holds it.
     */
    public boolean fail(UUID id, String workerId, int attempt, String kind, String message, int retryAfter) {
        return tx(c -> {
            List<UUID> failed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET state = 'FAILED', failure_kind = ?,"
                    + " failure_message = ?, retry_after = ?, finished_at = clock_timestamp(), lease_until = NULL,"
                    + " preview = NULL WHERE id = ? AND worker_id = ? AND attempts = ? AND state = 'PROCESSING'"
                    + " RETURNING id, owner_hash, credits, credits_day")) {
                ps.setString(1, kind);
                ps.setString(2, message);
                ps.setInt(3, retryAfter);
                ps.setObject(4, id);
                ps.setString(5, workerId);
                ps.setInt(6, attempt);
                try (ResultSet rs = ps.executeQuery()) {
                    refundAll(c, rs, failed);
                }
            }
            if (failed.isEmpty()) {
                return false;
            }
            notify(c, JOB_EVENTS, id);
            return true;
        });
    }

    /**
     * Hands a job back to the queue (a worker stopping gracefully): QUEUED again, the attempt not counted.
     */
    public boolean release(UUID id, String workerId, int attempt) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET state = 'QUEUED', worker_id = NULL,"
                    + " lease_until = NULL, attempts = attempts - 1, step = 0, started_at = NULL, preview = NULL"
                    + " WHERE id = ? AND worker_id = ? AND attempts = ? AND state = 'PROCESSING'")) {
                ps.setObject(1, id);
                ps.setString(2, workerId);
                ps.setInt(3, attempt);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            notify(c, JOBS_QUEUED, id);
            notify(c, JOB_EVENTS, id);
            return true;
        });
    }

    /** What {@link #reap} did: jobs back in the queue, and jobs failed for good. */
    public record Reaped(List<UUID> requeued, List<UUID> failed) {}

    /**
     * Takes back the jobs whose lease ran out (their worker died, hung or lost the store): back to the queue while
     * attempts are left, else FAILED with the reason and the credits refunded; a job a client had cancelled fails as
     * CANCELLED instead of running again. Any node may call this; concurrent calls never take a job twice.
     */
    public Reaped reap(int maxAttempts) {
        return tx(c -> {
            List<UUID> requeued = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET state = 'QUEUED', worker_id = NULL,"
                    + " lease_until = NULL, step = 0, started_at = NULL, preview = NULL WHERE state = 'PROCESSING'"
                    + " AND lease_until < clock_timestamp() AND attempts < ? AND cancel_reason IS NULL RETURNING id")) {
                ps.setInt(1, maxAttempts);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        requeued.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            List<UUID> failed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE vega_jobs SET state = 'FAILED', failure_kind ="
                    + " CASE WHEN cancel_reason IS NULL THEN 'MODEL_FAILURE' ELSE 'CANCELLED' END, failure_message ="
                    + " coalesce(cancel_reason, 'the job was started ' || attempts || ' times and each time its worker"
                    + " stopped responding (it crashed, was killed or lost the store); it is not retried again'),"
                    + " finished_at = clock_timestamp(), lease_until = NULL, preview = NULL"
                    + " WHERE state = 'PROCESSING' AND lease_until < clock_timestamp()"
                    + " RETURNING id, owner_hash, credits, credits_day")) {
                try (ResultSet rs = ps.executeQuery()) {
                    refundAll(c, rs, failed);
                }
            }
            for (UUID id : requeued) {
                notify(c, JOBS_QUEUED, id);
                notify(c, JOB_EVENTS, id);
            }
            for (UUID id : failed) {
                notify(c, JOB_EVENTS, id);
            }
            return new Reaped(requeued, failed);
        });
    }

    /** Deletes finished jobs (and their images) older than {@code ttl}, and registrations silent for a day. */
    public int purge(Duration ttl) {
        return tx(c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM vega_jobs WHERE finished_at <"
                    + " clock_timestamp() - make_interval(secs => ?)")) {
                ps.setDouble(1, ttl.toMillis() / 1000.0);
                n = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM vega_workers WHERE heartbeat_at <"
                    + " clock_timestamp() - interval '1 day'")) {
                ps.executeUpdate();
            }
            return n;
        });
    }

    // ---- workers ----

    /** Registers or refreshes a worker: what it serves, which job it runs. */
    public void workerBeat(String id, String host, String modelsJson, UUID busyJob) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO vega_workers (id, host, models, busy_job)"
                    + " VALUES (?, ?, ?::jsonb, ?) ON CONFLICT (id) DO UPDATE SET heartbeat_at = clock_timestamp(),"
                    + " models = EXCLUDED.models, busy_job = EXCLUDED.busy_job, stopped = false")) {
                ps.setString(1, id);
                ps.setString(2, host);
                ps.setString(3, modelsJson);
                ps.setObject(4, busyJob);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Signs a worker off (it stopped gracefully): api nodes stop counting it at once. */
    public void workerStopped(String id) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE vega_workers SET stopped = true, busy_job = NULL WHERE id = ?")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Every registration, oldest worker first; live ones heartbeat within a lease and did not sign off. */
    public List<WorkerRow> workers() {
        return tx(c -> {
            Map<String, WorkerRow> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, host, models::text, busy_job::text,"
                    + " (extract(epoch FROM clock_timestamp() - heartbeat_at) * 1000)::bigint, stopped"
                    + " FROM vega_workers ORDER BY started_at, id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long age = rs.getLong(5);
                    out.put(rs.getString(1), new WorkerRow(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), age, !rs.getBoolean(6) && age < lease.toMillis()));
                }
            }
            return List.copyOf(out.values());
        });
    }

    @Override
    public void close() {
        pool.close();
    }
}

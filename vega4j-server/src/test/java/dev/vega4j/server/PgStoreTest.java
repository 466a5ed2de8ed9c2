package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.server.store.JobRow;
import dev.vega4j.server.store.PgStore;
import dev.vega4j.server.store.Renewal;
import dev.vega4j.server.store.StoreUnavailableException;
import dev.vega4j.server.store.StoreUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The store's SQL against a real PostgreSQL server: the ledger, the queue's claims, leases and results. */
@Timeout(120)
class PgStoreTest {
    static PostgresServer pg;
    static PgStore store;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.create();
        store = PgStore.open(StoreUrl.parse(pg.url(), null), Duration.ofSeconds(1), 24);
    }

    @AfterAll
    static void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void empty() throws Exception {
        pg.reset();
    }

    private static UUID enqueue(String model, String owner, int credits, Integer day) {
        UUID id = UUID.randomUUID();
        assertThat(store.enqueue(id, model, "{}", owner, credits, day, 10, 1000)).isTrue();
        return id;
    }

    @Test
    void urlsInBothFormsWithThePasswordFromTheEnvironmentAndNeverShown() {
        StoreUrl a = StoreUrl.parse("postgresql://vega:s%40cret@db.example:6543/jobs", "ignored");
        assertThat(a.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/jobs");
        assertThat(a.user()).isEqualTo("vega");
        assertThat(a.password()).isEqualTo("s@cret");
        assertThat(a.display()).doesNotContain("cret").contains("db.example:6543/jobs", "vega");
        StoreUrl b = StoreUrl.parse("jdbc:postgresql://db:5432/vega?sslmode=require", "fromenv");
        assertThat(b.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/vega?sslmode=require");
        assertThat(b.password()).isEqualTo("fromenv");
        assertThatThrownBy(() -> StoreUrl.parse("mysql://x:y@h/db", null)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("PostgreSQL URL").hasMessageNotContaining(":y@");
    }

    @Test
    void creditsAreExactUnderConcurrentReservations() throws Exception {
        int day = 20_000;
        AtomicInteger granted = new AtomicInteger();
        Set<Long> lefts = ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                fs.add(pool.submit(() -> {
                    long left = store.reserve("key-a", 1, 50, day);
                    if (left >= 0) {
                        granted.incrementAndGet();
                        lefts.add(left);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertThat(granted.get()).isEqualTo(50);
        assertThat(lefts).hasSize(50).allSatisfy(l -> assertThat(l).isBetween(0L, 49L));
        assertThat(store.used("key-a", day)).isEqualTo(50);
        assertThat(store.reserve("key-a", 1, 50, day)).isEqualTo(-1);
        // a new day starts from zero; a refund for the old day does not touch it
        assertThat(store.reserve("key-a", 2, 50, day + 1)).isEqualTo(48);
        store.refund("key-a", 2, day);
        assertThat(store.used("key-a", day + 1)).isEqualTo(2);
        store.refund("key-a", 1, day + 1);
        assertThat(store.used("key-a", day + 1)).isEqualTo(1);
        assertThat(store.reserve("key-b", 3, 2, day)).as("more than the whole quota").isEqualTo(-1);
    }

    @Test
    void chargedEnqueuesTakeCreditsOnlyForQueuedJobsExactlyUnderConcurrency() throws Exception {
        int day = 20_100;
        // 40 concurrent requests against a quota of 30 and a queue bound of 20: a refusal for the full queue never
        // holds credits, so exactly the queued jobs are charged and the credits left count down without gaps
        AtomicInteger queued = new AtomicInteger(), full = new AtomicInteger(), broke = new AtomicInteger();
        Set<Long> lefts = ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                fs.add(pool.submit(() -> {
                    PgStore.Enqueued e = store.enqueue(UUID.randomUUID(), "m", "{}", "key-q", 1, day, 30, 10, 20);
                    switch (e.outcome()) {
                        case QUEUED -> {
                            queued.incrementAndGet();
                            lefts.add(e.creditsLeft());
                        }
                        case QUEUE_FULL -> full.incrementAndGet();
                        case NO_CREDITS -> broke.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertThat(queued.get()).isEqualTo(20);
        assertThat(full.get()).isEqualTo(20);
        assertThat(broke.get()).isZero();
        assertThat(lefts).containsExactlyInAnyOrderElementsOf(
                java.util.stream.LongStream.range(10, 30).boxed().toList());
        assertThat(store.used("key-q", day)).isEqualTo(20);
        // with room in the queue, the quota is what refuses, and nothing is queued for it
        assertThat(store.enqueue(UUID.randomUUID(), "m", "{}", "key-q", 11, day, 30, 10, 1000).outcome())
                .isEqualTo(PgStore.Enqueued.Outcome.NO_CREDITS);
        assertThat(store.used("key-q", day)).isEqualTo(20);
        assertThat(store.countByState()).containsEntry(PgStore.State.QUEUED, 20);
    }

    @Test
    void concurrentClaimsNeverTakeTheSameJob() throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(enqueue("m", null, 1, null));
        }
        enqueue("other-model", null, 1, null);
        List<UUID> claimed = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                String worker = "w" + w;
                fs.add(pool.submit(() -> {
                    while (true) {
                        var c = store.claim(worker, List.of("m"));
                        if (c.isEmpty()) {
                            return;
                        }
                        assertThat(c.get().attempts()).isEqualTo(1);
                        claimed.add(c.get().id());
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertThat(claimed).hasSize(30).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aLostLeaseRequeuesTheJobAndTheThirdLossFailsItWithARefund() throws Exception {
        int day = 20_100;
        assertThat(store.reserve("key-c", 2, 10, day)).isEqualTo(8);
        UUID id = enqueue("m", "key-c", 2, day);
        for (int attempt = 1; attempt <= 3; attempt++) {
            JobRow c = store.claim("w" + attempt, List.of("m")).orElseThrow();
            assertThat(c.id()).isEqualTo(id);
            assertThat(c.attempts()).isEqualTo(attempt);
            Renewal r = store.renew(id, "w" + attempt, attempt, 1, 10, true);
            assertThat(r.held()).isTrue();
            Thread.sleep(1300); // the 1 s lease runs out
            PgStore.Reaped reaped = store.reap(3);
            if (attempt < 3) {
                assertThat(reaped.requeued()).containsExactly(id);
                assertThat(store.renew(id, "w" + attempt, attempt, 2, 10, false).held()).as("lost").isFalse();
                assertThat(store.fail(id, "w" + attempt, attempt, "MODEL_FAILURE", "late", 0)).isFalse();
            } else {
                assertThat(reaped.failed()).containsExactly(id);
            }
        }
        JobRow row = store.find(id, true).orElseThrow();
        assertThat(row.state()).isEqualTo(PgStore.State.FAILED);
        assertThat(row.failureKind()).isEqualTo("MODEL_FAILURE");
        assertThat(row.failureMessage()).contains("started 3 times");
        assertThat(store.used("key-c", day)).as("credits refunded").isZero();
    }

    @Test
    void aResultIsWrittenOnceEvenWhenTwoWorkersRanTheJob() {
        UUID id = enqueue("m", null, 1, null);
        JobRow c = store.claim("w1", List.of("m")).orElseThrow();
        assertThat(store.complete(id, List.of(new byte[] {1, 2, 3}), "{\"elapsed_ms\": 5}")).isTrue();
        assertThat(store.complete(id, List.of(new byte[] {9}, new byte[] {9}), "{\"elapsed_ms\": 7}")).isFalse();
        assertThat(store.fail(id, "w1", c.attempts(), "MODEL_FAILURE", "x", 0)).isFalse();
        JobRow row = store.find(id, true).orElseThrow();
        assertThat(row.state()).isEqualTo(PgStore.State.COMPLETED);
        assertThat(row.images()).hasSize(1);
        assertThat(row.images().get(0)).containsExactly(1, 2, 3);
        assertThat(row.result()).contains("5");
    }

    @Test
    void cancellingAQueuedJobFailsItAndRefundsARunningOneIsMarked() {
        int day = 20_200;
        store.reserve("key-d", 1, 5, day);
        UUID queued = enqueue("m", "key-d", 1, day);
        assertThat(store.cancel(queued, "cancelled: the client disconnected")).isTrue();
        JobRow q = store.find(queued, false).orElseThrow();
        assertThat(q.state()).isEqualTo(PgStore.State.FAILED);
        assertThat(q.failureKind()).isEqualTo("CANCELLED");
        assertThat(store.used("key-d", day)).isZero();
        UUID running = enqueue("m", null, 1, null);
        JobRow c = store.claim("w", List.of("m")).orElseThrow();
        assertThat(store.cancel(running, "interrupted")).isTrue();
        assertThat(store.renew(running, "w", c.attempts(), 3, 10, false).cancelReason()).isEqualTo("interrupted");
    }

    @Test
    void theQueueBoundCountsTheSharedQueue() {
        for (int i = 0; i < 3; i++) {
            assertThat(store.enqueue(UUID.randomUUID(), "bound", "{}", null, 1, null, 1, 3)).isTrue();
        }
        assertThat(store.enqueue(UUID.randomUUID(), "bound", "{}", null, 1, null, 1, 3)).isFalse();
        assertThat(store.countByState().get(PgStore.State.QUEUED)).isEqualTo(3);
    }

    @Test
    void theRateLimitIsOneBucketPerKeyAcrossConnections() {
        assertThat(store.takeToken("rk", 3)).isZero();
        assertThat(store.takeToken("rk", 3)).isZero();
        assertThat(store.takeToken("rk", 3)).isZero();
        int wait = store.takeToken("rk", 3);
        assertThat(wait).isBetween(1, 20);
        assertThat(store.takeToken("other", 3)).isZero();
    }

    @Test
    void anUnreachableStoreIsAClearError() {
        assertThatThrownBy(() -> PgStore.open(StoreUrl.parse("postgresql://vega@127.0.0.1:1/postgres", null),
                Duration.ofSeconds(5), 2))
                .hasMessageContaining("cannot reach the store postgresql://127.0.0.1:1/postgres")
                .hasMessageContaining("refused");
        assertThat(StoreUnavailableException.class).isAssignableTo(dev.vega4j.VegaException.class);
    }
}

package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.Golden;
import dev.vega4j.server.store.StoreUrl;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code vega serve --store} as deployed: a real PostgreSQL server, two api nodes and two workers, each its own JVM
 * ({@link StoreNodeMain}) on loopback, the tiny Vega of the golden data. A worker killed with SIGKILL mid-job, 200
 * requests against a quota of 50 spread over both api nodes, and a store restart: every accepted job completes
 * exactly once, and credits are exact.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutTest {
    private static final String FREE = "free-key";
    private static final String METERED = "metered-key";
    private static final int LEASE_SECONDS = 4;

    static PostgresServer pg;
    static Path logs;
    static Node api1;
    static Node api2;
    static final List<Node> workers = new ArrayList<>();

    /** A child JVM running one node. */
    record Node(Process process, int port, String workerId, Path log) {
        TestHttp http(String key) {
            return new TestHttp(port, key);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.create();
        logs = Files.createTempDirectory("vega-scale-out");
        // the first node migrates the schema; the others start in parallel
        api1 = node("api", null);
        List<Future<Node>> rest = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            rest.add(pool.submit(() -> node("api", null)));
            rest.add(pool.submit(() -> node("worker", tinyVega())));
            rest.add(pool.submit(() -> node("worker", tinyVega())));
            api2 = rest.get(0).get();
            workers.add(rest.get(1).get());
            workers.add(rest.get(2).get());
        }
        awaitTrue(() -> liveWorkers(api1) == 2 && liveWorkers(api2) == 2, "both workers registered", 60);
    }

    @AfterAll
    static void stop() throws Exception {
        List<Node> all = new ArrayList<>(workers);
        all.add(api1);
        all.add(api2);
        for (Node n : all) {
            if (n != null && n.process().isAlive()) {
                n.process().getOutputStream().close(); // graceful stop
            }
        }
        for (Node n : all) {
            if (n != null && !n.process().waitFor(30, TimeUnit.SECONDS)) {
                n.process().destroyForcibly();
            }
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static String tinyVega() {
        return "tiny-vega=" + Golden.root().resolve("tiny-vega");
    }

    private static Node node(String role, String model) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xmx")) {
                cmd.add(a);
            }
        }
        // two cores for four nodes and the test: one compute thread per worker
        cmd.addAll(List.of("-Xmx1g", "-Dvega.threads=1", "-cp", System.getProperty("java.class.path"),
                StoreNodeMain.class.getName(), role, pg.url(), Integer.toString(LEASE_SECONDS), "100",
                FREE + ":0," + METERED + ":50"));
        if (model != null) {
            cmd.add(model);
        }
        Path log = Files.createTempFile(logs, role + "-", ".log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
            // wait for the node
        }
        if (line == null) {
            throw new AssertionError(role + " node did not start:\n" + Files.readString(log));
        }
        String[] parts = line.split(" ");
        return new Node(p, Integer.parseInt(parts[1]), parts[2].equals("-") ? null : parts[2], log);
    }

    private static int liveWorkers(Node api) {
        HttpResponse<byte[]> r = api.http(null).get("/health");
        return r.statusCode() == 200 ? TestHttp.json(r).get("live_workers").asInt() : -1;
    }

    private static void awaitTrue(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection(StoreUrl.parse(pg.url(), null).jdbcUrl(), "vega", "");
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String body(int steps, int seed, int side) {
        return "{\"prompt\":\"a lighthouse\",\"seed\":" + seed + ",\"num_inference_steps\":" + steps
                + ",\"img_width\":" + side + ",\"img_height\":" + side + ",\"img_format\":\"png\"}";
    }

    /** Submits an async job; returns its id. */
    private static String submit(Node api, String key, String body) {
        HttpResponse<byte[]> r = api.http(key).post("/v2/tiny-vega", body);
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return TestHttp.json(r).get("request_id").asText();
    }

    /** Polls a job (on either api node) until it is final; returns its last status. */
    private static JsonNode awaitFinal(String id, String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        int i = 0;
        while (System.nanoTime() < deadline) {
            Node api = i++ % 2 == 0 ? api1 : api2;
            HttpResponse<byte[]> r = api.http(key).get("/v2/requests/" + id);
            if (r.statusCode() == 200) {
                JsonNode j = TestHttp.json(r);
                if (j.get("status").asText().equals("COMPLETED") || j.get("status").asText().equals("FAILED")) {
                    return j;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    private static BufferedImage png(String base64) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
    }

    private static void assertOneValidImage(JsonNode status, int side) throws Exception {
        assertThat(status.get("status").asText()).as(status.toString()).isEqualTo("COMPLETED");
        JsonNode images = status.get("result").get("images");
        assertThat(images).hasSize(1);
        BufferedImage img = png(images.get(0).asText());
        assertThat(img.getWidth()).isEqualTo(side);
        assertThat(img.getHeight()).isEqualTo(side);
    }

    private static long metric(Node n, String series) {
        String text = new String(n.http(null).get("/metrics").body(), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Long.parseLong(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    @Test
    @Order(1)
    void aWorkerKilledMidJobLosesNoJobAndNoJobCompletesTwice() throws Exception {
        int side = 64;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(submit(i % 2 == 0 ? api1 : api2, FREE, body(12, 100 + i, side)));
        }
        // two synchronous clients on the second api node wait through LISTEN/NOTIFY meanwhile
        List<Future<HttpResponse<byte[]>>> sync = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        for (int i = 0; i < 2; i++) {
            String b = body(12, 200 + i, side);
            sync.add(clients.submit(() -> api2.http(FREE).send(api2.http(FREE).request("/v1/tiny-vega")
                    .timeout(Duration.ofSeconds(240)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(b)).build())));
        }
        // kill a worker while it runs a job (its heartbeat names the job in the registration) with steps to go
        String[] busy = new String[2];
        awaitTrue(() -> {
            JsonNode h = TestHttp.json(api1.http(null).get("/health"));
            for (JsonNode w : h.get("workers")) {
                if (!w.get("busy_job").isNull()) {
                    JsonNode job = TestHttp.json(api1.http(FREE).get("/v2/requests/" + w.get("busy_job").asText()));
                    if (job.get("status").asText().equals("PROCESSING")
                            && job.get("progress").get("step").asInt() <= 6) {
                        busy[0] = w.get("id").asText();
                        busy[1] = w.get("busy_job").asText();
                        return true;
                    }
                }
            }
            return false;
        }, "a worker early in a job", 120);
        Node victim = workers.stream().filter(w -> w.workerId().equals(busy[0])).findFirst().orElseThrow();
        victim.process().destroyForcibly(); // SIGKILL: no goodbye, no hand-back
        assertThat(victim.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        workers.remove(victim);

        for (String id : ids) {
            assertOneValidImage(awaitFinal(id, FREE), side);
        }
        for (Future<HttpResponse<byte[]>> f : sync) {
            HttpResponse<byte[]> r = f.get(240, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            assertThat(ImageIO.read(new ByteArrayInputStream(r.body())).getWidth()).isEqualTo(side);
            assertThat(r.headers().firstValue("x-seed")).isPresent();
        }
        clients.shutdown();
        // exactly once: ten completed jobs, ten stored images; the killed job ran again
        assertThat(count("SELECT count(*) FROM vega_jobs WHERE state = 'COMPLETED'")).isEqualTo(10);
        assertThat(count("SELECT count(*) FROM vega_job_images")).isEqualTo(10);
        assertThat(count("SELECT attempts FROM vega_jobs WHERE id = '" + busy[1] + "'")).isGreaterThanOrEqualTo(2);
        long requeued = metric(api1, "vega_store_jobs_total{role=\"api\",event=\"requeued\"}")
                + metric(api2, "vega_store_jobs_total{role=\"api\",event=\"requeued\"}")
                + metric(workers.get(0), "vega_store_jobs_total{role=\"worker\",event=\"requeued\"}");
        // at least the killed worker's job (a starved live worker may lose a lease too: its job still completes once)
        assertThat(requeued).as("requeued after the lease was lost").isGreaterThanOrEqualTo(1);
        awaitTrue(() -> liveWorkers(api1) == 1, "the killed worker to count as dead", 30);

        workers.add(node("worker", tinyVega()));
        awaitTrue(() -> liveWorkers(api1) == 2, "the replacement worker", 60);
    }

    @Test
    @Order(2)
    void twoHundredRequestsAgainstAQuotaOfFiftyGiveExactlyFiftyImages() throws Exception {
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Set<Long> remaining = ConcurrentHashMap.newKeySet();
        List<String> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService clients = Executors.newFixedThreadPool(20)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < 20; c++) {
                Node api = c % 2 == 0 ? api1 : api2;
                fs.add(clients.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        HttpResponse<byte[]> r = api.http(METERED).post("/v2/tiny-vega",
                                body(1, next.incrementAndGet(), 64));
                        statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        if (r.statusCode() == 200) {
                            accepted.add(TestHttp.json(r).get("request_id").asText());
                            remaining.add(Long.parseLong(r.headers().firstValue("x-remaining-credits")
                                    .orElseThrow()));
                        } else {
                            assertThat(TestHttp.json(r).get("error").asText()).isEqualTo("credits_exhausted");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertThat(statuses.keySet()).containsExactlyInAnyOrder(200, 406);
        assertThat(statuses.get(200).get()).isEqualTo(50);
        assertThat(statuses.get(406).get()).isEqualTo(150);
        Set<Long> expected = new HashSet<>();
        for (long i = 0; i < 50; i++) {
            expected.add(i);
        }
        assertThat(remaining).as("every reservation saw its own count").isEqualTo(expected);
        assertThat(accepted).doesNotHaveDuplicates();
        for (String id : accepted) {
            assertOneValidImage(awaitFinal(id, METERED), 64);
        }
        assertThat(count("SELECT count(*) FROM vega_jobs WHERE state = 'COMPLETED' AND request->>'seed' IS NOT NULL"
                + " AND owner_hash IS NOT NULL AND credits_day IS NOT NULL")).isEqualTo(50);
        HttpResponse<byte[]> more = api2.http(METERED).post("/v1/tiny-vega", body(1, 1, 64));
        assertThat(more.statusCode()).isEqualTo(406);
    }

    @Test
    @Order(3)
    void acceptedJobsCompleteAfterTheStoreRestarts() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(submit(i % 2 == 0 ? api1 : api2, FREE, body(8, 300 + i, 64)));
        }
        pg.stop();
        HttpResponse<byte[]> down = api1.http(FREE).post("/v2/tiny-vega", body(1, 1, 64));
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(TestHttp.json(down).get("error").asText()).isEqualTo("store_unavailable");
        assertThat(api2.http(FREE).get("/v2/requests/" + ids.get(0)).statusCode()).isEqualTo(503);
        assertThat(api1.http(null).get("/health").statusCode()).isEqualTo(503);
        Thread.sleep(2000);
        pg.start();
        for (String id : ids) {
            assertOneValidImage(awaitFinal(id, FREE), 64);
        }
        assertThat(count("SELECT count(*) FROM vega_job_images i JOIN vega_jobs j ON j.id = i.job_id"
                + " WHERE j.request->>'seed' IN ('300', '301', '302', '303')")).isEqualTo(4);
        awaitTrue(() -> api1.http(null).get("/health").statusCode() == 200, "health back", 30);
    }
}

package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A sync client that disconnects cancels its job; shutdown mid-queue leaves every job in a final state. */
@Timeout(60)
class LifecycleTest {

    static Socket rawPost(int port, String path, String body) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
        return s;
    }

    static void awaitTrue(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void disconnectingSyncClientsCancelTheirJobs() throws Exception {
        FakePipeline fake = new FakePipeline(20);
        try (VegaServer server = VegaServer.start(ServerConfig.builder().port(0).maxSteps(1000).build(),
                Map.of("segmind-vega", fake))) {
            Socket running = rawPost(server.port(), "/v1/segmind-vega", "{\"prompt\":\"running\",\"num_inference_steps\":500}");
            assertThat(fake.started.await(10, TimeUnit.SECONDS)).isTrue();
            Socket queued = rawPost(server.port(), "/sdapi/v1/txt2img", "{\"prompt\":\"queued\",\"steps\":500}");
            awaitTrue(() -> server.engine().queueDepth() == 1, "the second job to queue");
            queued.close();
            awaitTrue(() -> server.engine().queueDepth() == 0, "the queued job to be dropped");
            running.close();
            awaitTrue(() -> server.engine().jobs().stream().allMatch(j -> j.state().isFinal()), "both jobs final");
            List<Job> jobs = server.engine().jobs();
            assertThat(jobs).hasSize(2).allSatisfy(j -> {
                assertThat(j.state()).isEqualTo(JobState.FAILED);
                assertThat(j.error()).contains("client disconnected");
            });
            assertThat(fake.calls.get()).as("the queued job never ran").isEqualTo(1);
            assertThat(fake.cancelled.get()).isEqualTo(1);
            Job r = jobs.stream().filter(j -> j.request().prompt().equals("running")).findFirst().orElseThrow();
            assertThat(r.step()).isLessThan(500);
            // Keep-alive requests still work after the probe.
            TestHttp http = new TestHttp(server);
            for (int i = 0; i < 3; i++) {
                assertThat(http.post("/v1/segmind-vega", "{\"prompt\":\"ok\",\"num_inference_steps\":2}")
                        .statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void finishedResultsExpireAfterTheirTtl() throws Exception {
        ServerConfig cfg = ServerConfig.builder().port(0).resultTtl(Duration.ofMillis(300)).build();
        try (VegaServer server = VegaServer.start(cfg, Map.of("segmind-vega", new FakePipeline()))) {
            TestHttp http = new TestHttp(server);
            String id = TestHttp.json(http.post("/v2/segmind-vega", "{\"prompt\":\"ttl\",\"num_inference_steps\":2}"))
                    .get("request_id").asText();
            awaitTrue(() -> http.get("/v2/requests/" + id).statusCode() == 404, "the result to expire");
            assertThat(TestHttp.json(http.get("/v2/requests/" + id)).get("message").asText())
                    .contains("unknown or expired");
            assertThat(server.engine().jobs()).isEmpty();
        }
    }

    @Test
    void longSyncRequestsOutliveTheIdleTimeout() throws Exception {
        FakePipeline fake = new FakePipeline(30);
        try (VegaServer server = VegaServer.start(ServerConfig.builder().port(0).build(),
                Map.of("segmind-vega", fake))) {
            server.idleTimeout(300);
            HttpResponse<byte[]> r = new TestHttp(server).post("/v1/segmind-vega",
                    "{\"prompt\":\"slow\",\"num_inference_steps\":40}");
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shutdownMidQueueFinishesOrFailsEveryJob() throws Exception {
        FakePipeline fake = new FakePipeline(20);
        ServerConfig cfg = ServerConfig.builder().port(0).queueCapacity(10).shutdownGrace(Duration.ofMillis(300))
                .build();
        VegaServer server = VegaServer.start(cfg, Map.of("segmind-vega", fake));
        TestHttp http = new TestHttp(server);
        CompletableFuture<HttpResponse<byte[]>> sync = CompletableFuture.supplyAsync(() ->
                http.post("/v1/segmind-vega", "{\"prompt\":\"sync\",\"num_inference_steps\":10}"));
        assertThat(fake.started.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 6; i++) {
            assertThat(http.post("/v2/segmind-vega", "{\"prompt\":\"q" + i + "\",\"num_inference_steps\":10}")
                    .statusCode()).isEqualTo(200);
        }
        server.stop();
        List<Job> jobs = server.engine().jobs();
        assertThat(jobs).hasSize(7).allSatisfy(j -> assertThat(j.state().isFinal()).as(j.id()).isTrue());
        long completed = jobs.stream().filter(j -> j.state() == JobState.COMPLETED).count();
        List<Job> failed = jobs.stream().filter(j -> j.state() == JobState.FAILED).toList();
        assertThat(failed).isNotEmpty().allSatisfy(j -> assertThat(j.error()).contains("shut down"));
        assertThat(completed + failed.size()).isEqualTo(7);
        HttpResponse<byte[]> r = sync.get(20, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isIn(200, 503);
    }
}

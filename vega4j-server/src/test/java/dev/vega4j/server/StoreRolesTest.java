package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.server.store.JobRow;
import dev.vega4j.server.store.PgStore;
import dev.vega4j.server.store.StoreUrl;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Store-backed nodes in this JVM against a real PostgreSQL: an api node alone (no worker: what it knows about models
 * comes from registrations; a sync request times out and is cancelled), and an {@code all} node whose images are the
 * direct pipeline's, byte for byte (a job runs the same through the store).
 */
@Timeout(180)
class StoreRolesTest {
    static PostgresServer pg;
    static StoreUrl url;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.create();
        url = StoreUrl.parse(pg.url(), null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void empty() throws Exception {
        // the tables exist once a node has started; before that there is nothing to empty
        try {
            pg.reset();
        } catch (java.sql.SQLException e) {
            // first test: no schema yet
        }
    }

    private static StoreSettings settings(ServerRole role, Duration syncTimeout) {
        return new StoreSettings(url, role, Duration.ofSeconds(2), 3, syncTimeout);
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void anApiNodeServesWhatLiveWorkersRegisterAndTimesOutSyncWaits() throws Exception {
        try (VegaServer api = VegaServer.start(ServerConfig.builder().port(0).build(), Map.of(), RequestFeatures.NONE,
                settings(ServerRole.API, Duration.ofSeconds(2)));
                PgStore store = PgStore.open(url, Duration.ofSeconds(2), 2)) {
            TestHttp http = new TestHttp(api);
            JsonNode health = TestHttp.json(http.get("/health"));
            assertThat(health.get("role").asText()).isEqualTo("api");
            assertThat(health.get("live_workers").asInt()).isZero();
            assertThat(health.get("store_status").asText()).isEqualTo("ok");
            String body = "{\"prompt\":\"a fox\",\"num_inference_steps\":2,\"img_width\":64,\"img_height\":64}";
            HttpResponse<byte[]> none = http.post("/v1/tiny-vega", body);
            assertThat(none.statusCode()).as(text(none)).isEqualTo(503);
            assertThat(text(none)).contains("no live worker");

            // a worker registers (this test plays it: it never claims anything)
            store.workerBeat("w-test", "host", "[{\"slug\":\"tiny-vega\",\"name\":\"tiny\",\"family\":\"SDXL\","
                    + "\"default_width\":64,\"default_height\":64,\"default_scheduler\":\"Euler\","
                    + "\"prompt_weighting\":false}]", null);
            long deadline = System.nanoTime() + 10_000_000_000L;
            // the api node reads registrations every beat
            while (TestHttp.json(http.get("/sdapi/v1/sd-models")).isEmpty()) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(100);
            }
            JsonNode models = TestHttp.json(http.get("/sdapi/v1/sd-models"));
            assertThat(models).hasSize(1);
            assertThat(models.get(0).get("model_name").asText()).isEqualTo("tiny-vega");
            assertThat(models.get(0).get("default_scheduler").asText()).isEqualTo("Euler");
            assertThat(http.post("/v1/never-served", body).statusCode()).isEqualTo(404);
            HttpResponse<byte[]> lora = http.post("/sdapi/v1/txt2img", "{\"prompt\":\"a <lora:x:1>\"}");
            assertThat(lora.statusCode()).as(text(lora)).isEqualTo(400);

            HttpResponse<byte[]> queued = http.post("/v2/tiny-vega", body);
            assertThat(queued.statusCode()).as(text(queued)).isEqualTo(200);
            String id = TestHttp.json(queued).get("request_id").asText();
            JsonNode status = TestHttp.json(http.get("/v2/requests/" + id));
            assertThat(status.get("status").asText()).isEqualTo("QUEUED");
            assertThat(status.get("position").asInt()).isEqualTo(1);

            long t0 = System.nanoTime();
            HttpResponse<byte[]> timedOut = http.post("/v1/tiny-vega", body);
            assertThat(timedOut.statusCode()).as(text(timedOut)).isEqualTo(504);
            assertThat((System.nanoTime() - t0) / 1e9).isBetween(1.9, 10.0);
            String metrics = text(http.get("/metrics"));
            assertThat(metrics).contains("vega_queue_depth 1");
            // the timed-out job was cancelled in the store: only the async one still waits
            assertThat(store.countByState().get(PgStore.State.QUEUED)).isEqualTo(1);
            assertThat(store.countByState().get(PgStore.State.FAILED)).isEqualTo(1);
            assertThat(store.cancel(UUID.fromString(id), "test over")).isTrue();
            store.workerStopped("w-test");
        }
    }

    @Test
    void aStoppingWorkerHandsItsRunningJobBackToTheQueue() throws Exception {
        String tiny = Golden.root().resolve("tiny-vega").toString();
        try (PgStore store = PgStore.open(url, Duration.ofSeconds(2), 2)) {
            UUID id = UUID.randomUUID();
            String request = new JobCodec(TestHttp.JSON).request(GenerationRequest.builder("a slow one").steps(1000)
                    .size(64, 64).seed(1).build(), JobOptions.NONE, Images.Format.PNG);
            assertThat(store.enqueue(id, "tiny-vega", request, null, 1, null, 1000, 10)).isTrue();
            VegaServer worker = VegaServer.start(ServerConfig.builder().port(0).shutdownGrace(Duration.ZERO).build(),
                    Map.of("tiny-vega", Pipelines.load(tiny)), RequestFeatures.NONE,
                    settings(ServerRole.WORKER, Duration.ofSeconds(60)));
            try {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (store.find(id, false).orElseThrow().step() == 0) {
                    assertThat(System.nanoTime()).as("the job to make progress").isLessThan(deadline);
                    Thread.sleep(50);
                }
                assertThat(new TestHttp(worker).get("/v2/requests/" + id).statusCode())
                        .as("a worker serves no API").isEqualTo(404);
            } finally {
                worker.stop();
            }
            JobRow row = store.find(id, false).orElseThrow();
            assertThat(row.state()).isEqualTo(PgStore.State.QUEUED);
            assertThat(row.attempts()).as("a handed-back run is no attempt").isZero();
            assertThat(row.workerId()).isNull();
            assertThat(store.workers()).singleElement().satisfies(w -> assertThat(w.live()).isFalse());
        }
    }

    @Test
    void anAllNodeGivesTheDirectPipelineImageThroughTheStore() throws Exception {
        String tiny = Golden.root().resolve("tiny-vega").toString();
        GenerationRequest req = GenerationRequest.builder("a red fox in the snow").negativePrompt("blurry").seed(42)
                .steps(3).guidanceScale(7.5).scheduler("Euler a").size(64, 64).build();
        byte[] expected;
        try (Pipeline direct = Pipelines.load(tiny)) {
            GenerationResult r = direct.generate(req);
            expected = ImageFiles.png(r.images().get(0), r.parameters().a1111Infotext());
        }
        try (VegaServer all = VegaServer.start(ServerConfig.builder().port(0).build(),
                Map.of("tiny-vega", Pipelines.load(tiny)), RequestFeatures.NONE,
                settings(ServerRole.ALL, Duration.ofSeconds(60)))) {
            TestHttp http = new TestHttp(all);
            HttpResponse<byte[]> r = http.post("/v1/tiny-vega", "{\"prompt\":\"a red fox in the snow\","
                    + "\"negative_prompt\":\"blurry\",\"seed\":42,\"num_inference_steps\":3,\"guidance_scale\":7.5,"
                    + "\"scheduler\":\"Euler a\",\"img_width\":64,\"img_height\":64,\"img_format\":\"png\"}");
            assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
            assertThat(r.body()).isEqualTo(expected);
            assertThat(r.headers().firstValue("x-seed")).contains("42");
            JsonNode health = TestHttp.json(http.get("/health"));
            assertThat(health.get("role").asText()).isEqualTo("all");
            assertThat(health.get("live_workers").asInt()).isEqualTo(1);
            assertThat(text(http.get("/metrics")))
                    .contains("vega_store_jobs_total{role=\"worker\",event=\"claimed\"} 1")
                    .contains("vega_store_jobs_total{role=\"worker\",event=\"completed\"} 1");
        }
    }

    @Test
    void aRunningJobsPreviewReachesTheApiThroughTheStore() throws Exception {
        String tiny = Golden.root().resolve("tiny-vega").toString();
        try (Pipeline pipeline = Pipelines.load(tiny)) {
            HeldPreviews held = new HeldPreviews(pipeline, 0, 2);
            try (VegaServer all = VegaServer.start(ServerConfig.builder().port(0).build(),
                    Map.of("held", held), RequestFeatures.NONE, settings(ServerRole.ALL, Duration.ofSeconds(60)))) {
                TestHttp http = new TestHttp(all);
                String id = TestHttp.json(http.post("/v2/held", "{\"prompt\":\"a red fox\",\"seed\":3,"
                        + "\"num_inference_steps\":4,\"img_width\":64,\"img_height\":64}")).get("request_id").asText();
                try {
                    // the worker holds the job after step 2's preview; its heartbeat carries the preview to the store
                    JsonNode status = null;
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (status == null || !status.hasNonNull("preview")) {
                        assertThat(System.nanoTime()).as("a preview in the status: " + status).isLessThan(deadline);
                        Thread.sleep(100);
                        status = TestHttp.json(http.get("/v2/requests/" + id));
                    }
                    assertThat(status.get("status").asText()).isEqualTo("PROCESSING");
                    PreviewServerTest.dataUrlImage(status.get("preview").asText());
                } finally {
                    held.release();
                }
                long deadline = System.nanoTime() + 60_000_000_000L;
                JsonNode status = TestHttp.json(http.get("/v2/requests/" + id));
                while (!status.get("status").asText().equals("COMPLETED")) {
                    assertThat(System.nanoTime()).as("completion: " + status).isLessThan(deadline);
                    Thread.sleep(100);
                    status = TestHttp.json(http.get("/v2/requests/" + id));
                }
                assertThat(status.hasNonNull("preview")).as("no preview once final").isFalse();
            }
        }
    }
}

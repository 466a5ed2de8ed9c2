package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 50 concurrent clients on loopback against a small queue: every request is answered (200 or 429 with Retry-After),
 * each 200 carries its own image, and every accepted job ran exactly once (none lost, none duplicated).
 */
@Timeout(90)
class LoadTest {
    static final int CLIENTS = 50;

    @Test
    void fiftyConcurrentSyncClients() throws Exception {
        FakePipeline fake = new FakePipeline(1);
        ServerConfig cfg = ServerConfig.builder().port(0).queueCapacity(8).build();
        try (VegaServer server = VegaServer.start(cfg, Map.of("segmind-vega", fake))) {
            TestHttp http = new TestHttp(server);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<byte[]>>> futures = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return http.post("/v1/segmind-vega", "{\"prompt\":\"load " + n + "\",\"seed\":" + n
                            + ",\"num_inference_steps\":5,\"img_format\":\"png\"}");
                }));
            }
            go.countDown();
            int ok = 0;
            int busy = 0;
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < CLIENTS; i++) {
                HttpResponse<byte[]> r = futures.get(i).get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as("client " + i).isIn(200, 429);
                if (r.statusCode() == 200) {
                    ok++;
                    assertThat(ids.add(r.headers().firstValue("x-request-id").orElseThrow())).isTrue();
                    BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.body()));
                    assertThat(img.getRGB(3, 3) & 0xffffff).as("client " + i + " got its own image")
                            .isEqualTo(FakePipeline.colorOf("load " + i, i, 0));
                } else {
                    busy++;
                    assertThat(r.headers().firstValue("Retry-After")).isPresent();
                    assertThat(TestHttp.json(r).get("message").asText()).contains("queue is full");
                }
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ok + busy).isEqualTo(CLIENTS);
            assertThat(ok).isGreaterThanOrEqualTo(8); // at least a full queue
            assertThat(fake.calls.get()).isEqualTo(ok);
            assertThat(fake.promptsSeen.values()).allMatch(c -> c == 1);
            List<Job> jobs = server.engine().jobs();
            assertThat(jobs).hasSize(ok).allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.COMPLETED));

            // The server is still healthy and idle afterwards.
            assertThat(http.get("/health").statusCode()).isEqualTo(200);
            assertThat(server.engine().queueDepth()).isZero();
        }
    }

    @Test
    void fiftyConcurrentAsyncSubmissionsAllReachAFinalState() throws Exception {
        FakePipeline fake = new FakePipeline();
        ServerConfig cfg = ServerConfig.builder().port(0).queueCapacity(20).build();
        try (VegaServer server = VegaServer.start(cfg, Map.of("segmind-vega", fake))) {
            TestHttp http = new TestHttp(server);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<HttpResponse<byte[]>>> futures = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int n = i;
                futures.add(pool.submit(() -> http.post("/v2/segmind-vega", "{\"prompt\":\"async " + n
                        + "\",\"num_inference_steps\":3}")));
            }
            List<String> accepted = new ArrayList<>();
            for (Future<HttpResponse<byte[]>> f : futures) {
                HttpResponse<byte[]> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isIn(200, 429);
                if (r.statusCode() == 200) {
                    accepted.add(TestHttp.json(r).get("request_id").asText());
                }
            }
            pool.shutdown();
            assertThat(accepted).doesNotHaveDuplicates();
            for (String id : accepted) {
                String state = "";
                for (int i = 0; i < 400 && !state.equals("COMPLETED"); i++) {
                    state = TestHttp.json(http.get("/v2/requests/" + id)).get("status").asText();
                    if (!state.equals("COMPLETED")) {
                        Thread.sleep(10);
                    }
                }
                assertThat(state).as(id).isEqualTo("COMPLETED");
            }
            assertThat(fake.calls.get()).isEqualTo(accepted.size());
        }
    }
}

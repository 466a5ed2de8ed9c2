package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** API keys (x-api-key, Bearer, ?key= for GET), per-key daily quotas that survive a restart, rate limits, binding. */
@Timeout(60)
class AuthQuotaTest {
    static final String ALPHA = "alpha-key-0001";
    static final String BETA = "beta-key-00002";
    static final String GAMMA = "gamma-key-0003";

    static ServerConfig config(Path dir) {
        Map<String, Long> keys = new LinkedHashMap<>();
        keys.put(ALPHA, 3L);
        keys.put(BETA, ApiKeys.DEFAULT_QUOTA);
        keys.put(GAMMA, 2L);
        return ServerConfig.builder().port(0).keys(ApiKeys.of(keys)).defaultDailyQuota(0).dataDir(dir).build();
    }

    static String post(TestHttp http, String body, int expected) {
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega", body);
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(expected);
        return r.headers().firstValue("x-remaining-credits").orElse(null);
    }

    @Test
    void keysAreRequiredAndQuotasCountDownAndSurviveRestart(@TempDir Path dir) {
        try (VegaServer server = VegaServer.start(config(dir), Map.of("segmind-vega", new FakePipeline()))) {
            TestHttp anon = new TestHttp(server);
            HttpResponse<byte[]> none = anon.post("/v1/segmind-vega", "{\"prompt\":\"x\"}");
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(TestHttp.json(none).get("message").asText()).contains("missing API key");
            assertThat(anon.withKey("wrong-key-123").post("/v1/segmind-vega", "{\"prompt\":\"x\"}").statusCode())
                    .isEqualTo(401);
            assertThat(anon.get("/sdapi/v1/samplers").statusCode()).isEqualTo(401);
            assertThat(anon.get("/health").statusCode()).isEqualTo(200);

            TestHttp alpha = anon.withKey(ALPHA);
            assertThat(post(alpha, "{\"prompt\":\"a\",\"samples\":2,\"num_inference_steps\":2}", 200)).isEqualTo("1");
            HttpResponse<byte[]> spent = alpha.post("/v1/segmind-vega", "{\"prompt\":\"a\",\"samples\":2}");
            assertThat(spent.statusCode()).isEqualTo(406);
            assertThat(TestHttp.json(spent).get("message").asText()).contains("not enough credits", "1 of 3 left");
            assertThat(post(alpha, "{\"prompt\":\"a\",\"num_inference_steps\":2}", 200)).isEqualTo("0");

            // A failed generation gives its credits back.
            TestHttp gamma = anon.withKey(GAMMA);
            post(gamma, "{\"prompt\":\"reject me\"}", 400);
            post(gamma, "{\"prompt\":\"g\",\"scheduler\":\"nope\"}", 400);
            assertThat(post(gamma, "{\"prompt\":\"g\",\"num_inference_steps\":2}", 200)).isEqualTo("1");

            // Unlimited key: no header. OpenAI's Bearer works as the key.
            TestHttp beta = anon.withKey(BETA);
            assertThat(post(beta, "{\"prompt\":\"b\",\"num_inference_steps\":2}", 200)).isNull();
            HttpResponse<byte[]> bearer = anon.send(anon.request("/v1/images/generations")
                    .header("Authorization", "Bearer " + BETA).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"o\",\"num_inference_steps\":2}")).build());
            assertThat(bearer.statusCode()).isEqualTo(200);

            // Async jobs belong to their key; GET accepts ?key= (EventSource cannot send headers).
            String id = TestHttp.json(beta.post("/v2/segmind-vega", "{\"prompt\":\"mine\",\"num_inference_steps\":2}"))
                    .get("request_id").asText();
            assertThat(gamma.get("/v2/requests/" + id).statusCode()).isEqualTo(404);
            assertThat(anon.get("/v2/requests/" + id + "?key=" + BETA).statusCode()).isEqualTo(200);
        }
        // Restart on the same data folder: ALPHA's credits are still spent.
        try (VegaServer server = VegaServer.start(config(dir), Map.of("segmind-vega", new FakePipeline()))) {
            TestHttp alpha = new TestHttp(server).withKey(ALPHA);
            HttpResponse<byte[]> r = alpha.post("/v1/segmind-vega", "{\"prompt\":\"a\"}");
            assertThat(r.statusCode()).isEqualTo(406);
            assertThat(post(new TestHttp(server).withKey(GAMMA), "{\"prompt\":\"g\",\"num_inference_steps\":2}", 200))
                    .isEqualTo("0");
        }
    }

    @Test
    void rateLimitAnswers429WithRetryAfter() {
        ServerConfig cfg = ServerConfig.builder().port(0).keys(ApiKeys.of(ALPHA)).rateLimitPerMinute(2).build();
        try (VegaServer server = VegaServer.start(cfg, Map.of("segmind-vega", new FakePipeline()))) {
            TestHttp alpha = new TestHttp(server).withKey(ALPHA);
            post(alpha, "{\"prompt\":\"1\",\"num_inference_steps\":1}", 200);
            post(alpha, "{\"prompt\":\"2\",\"num_inference_steps\":1}", 200);
            HttpResponse<byte[]> r = alpha.post("/v1/segmind-vega", "{\"prompt\":\"3\"}");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);
            assertThat(TestHttp.json(r).get("message").asText()).contains("rate limit");
        }
    }

    @Test
    void withoutKeysTheServerStaysOnLoopback() {
        ServerConfig cfg = ServerConfig.builder().host("0.0.0.0").port(0).build();
        try (VegaServer server = VegaServer.start(cfg, Map.of("segmind-vega", new FakePipeline()))) {
            assertThat(server.host()).isEqualTo("127.0.0.1");
            assertThat(server.notice()).contains("no API keys", "127.0.0.1 only");
            assertThat(new TestHttp(server).get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void keyFileAndEnvironmentFormats(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("keys.txt");
        java.nio.file.Files.writeString(f, "# keys\nfirst-key-1234 100\n\nsecond-key-5678\n");
        ApiKeys k = ApiKeys.load(f);
        assertThat(k.keys()).containsExactly("first-key-1234", "second-key-5678");
        assertThat(k.quotaOf("first-key-1234")).isEqualTo(100);
        assertThat(k.quotaOf("second-key-5678")).isEqualTo(ApiKeys.DEFAULT_QUOTA);
        ApiKeys env = ApiKeys.parseList("one-key-12345:5, two-key-123456");
        assertThat(env.match("one-key-12345")).isEqualTo("one-key-12345");
        assertThat(env.quotaOf("one-key-12345")).isEqualTo(5);
        assertThat(env.match("one-key-1234")).isNull();
    }
}

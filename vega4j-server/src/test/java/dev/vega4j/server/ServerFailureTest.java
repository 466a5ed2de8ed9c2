package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failures on the server's side are never blamed on the client: a model file that cannot be read is a 500 naming the
 * cause, an unreachable Hub a 502, on every synchronous route and in an async job's status, while a request the
 * pipeline finds invalid stays a 400.
 */
@Timeout(60)
class ServerFailureTest {
    static VegaServer server;
    static TestHttp http;

    @BeforeAll
    static void start() {
        server = VegaServer.start(ServerConfig.builder().port(0).build(), Map.of("segmind-vega", new FakePipeline()));
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static String message(String path, HttpResponse<byte[]> r) {
        JsonNode j = TestHttp.json(r);
        return path.startsWith("/v1/images") ? j.at("/error/message").asText() : j.get("message").asText();
    }

    static JsonNode awaitFinal(String id) throws InterruptedException {
        JsonNode st = null;
        for (int i = 0; i < 500; i++) {
            st = TestHttp.json(http.get("/v2/requests/" + id));
            if (st.get("status").asText().equals("FAILED") || st.get("status").asText().equals("COMPLETED")) {
                return st;
            }
            Thread.sleep(20);
        }
        return st;
    }

    @Test
    void aBrokenModelIs500NamingTheCauseOnEverySyncRoute() {
        for (String path : new String[] {"/v1/segmind-vega", "/sdapi/v1/txt2img", "/v1/images/generations"}) {
            HttpResponse<byte[]> r = http.post(path, "{\"prompt\":\"broken weights\"}");
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).as(path + " " + text).isEqualTo(500);
            assertThat(message(path, r)).as(path)
                    .contains("diffusion_pytorch_model.safetensors: the file is truncated");
            assertThat(text).doesNotContain("Exception", "\tat ");
        }
        HttpResponse<byte[]> openai = http.post("/v1/images/generations", "{\"prompt\":\"broken weights\"}");
        assertThat(TestHttp.json(openai).at("/error/type").asText()).isEqualTo("server_error");
    }

    @Test
    void anUnreachableHubIs502() {
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega", "{\"prompt\":\"hub down\"}");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(TestHttp.json(r).get("error").asText()).isEqualTo("upstream_error");
        assertThat(TestHttp.json(r).get("message").asText()).contains("cannot reach huggingface.co");
    }

    @Test
    void anAsyncJobReportsTheServersFailureAsNotTheClients() throws InterruptedException {
        HttpResponse<byte[]> r = http.post("/v2/segmind-vega", "{\"prompt\":\"broken weights\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode st = awaitFinal(TestHttp.json(r).get("request_id").asText());
        assertThat(st.get("status").asText()).isEqualTo("FAILED");
        assertThat(st.get("error").asText()).contains("the file is truncated");
        JsonNode f = st.get("failure");
        assertThat(f.get("kind").asText()).isEqualTo("model_failure");
        assertThat(f.get("status").asInt()).isEqualTo(500);
        assertThat(f.get("client_error").asBoolean()).isFalse();
    }

    @Test
    void anInvalidRequestFoundByThePipelineStays400SyncAndAsync() throws InterruptedException {
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega", "{\"prompt\":\"reject me\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(TestHttp.json(r).get("message").asText()).contains("the fake pipeline rejects this prompt");
        HttpResponse<byte[]> async = http.post("/v2/segmind-vega", "{\"prompt\":\"reject me\"}");
        JsonNode st = awaitFinal(TestHttp.json(async).get("request_id").asText());
        assertThat(st.get("status").asText()).isEqualTo("FAILED");
        assertThat(st.get("failure").get("status").asInt()).isEqualTo(400);
        assertThat(st.get("failure").get("kind").asText()).isEqualTo("bad_request");
        assertThat(st.get("failure").get("client_error").asBoolean()).isTrue();
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
    }
}

package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.Pipelines;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An adapter file the operator offers ({@code --lora-dir}) that is broken (truncated, or no safetensors at all) is the
 * server's failure: a client naming it gets a 500 whose message names the cause, on the synchronous routes and in the
 * async job's status, never a 400; and its credits come back. A request that is wrong is still a 400, and the good
 * adapters keep working.
 */
@Timeout(120)
class CorruptLoraServerTest {
    static final String MODEL = "tiny-vega";
    static final String BASE = "{\"seed\":42,\"num_inference_steps\":2,\"img_width\":64,\"img_height\":64";
    static final String KEY = "corrupt-lora-key-1";
    @TempDir
    static Path loraDir;
    static VegaServer server;
    static TestHttp http;

    @BeforeAll
    static void start() throws IOException {
        Path golden = Golden.root().resolve("cases/lora");
        byte[] good = Files.readAllBytes(golden.resolve("lora_kohya.safetensors"));
        Files.write(loraDir.resolve("good.safetensors"), good);
        Files.write(loraDir.resolve("truncated.safetensors"), Arrays.copyOf(good, good.length / 2));
        Files.write(loraDir.resolve("garbage.safetensors"), "this is no safetensors file at all, just text"
                .getBytes(StandardCharsets.US_ASCII));
        LoraServerTest.writeAlien(loraDir.resolve("alien.safetensors"), Map.of());
        LoraLibrary library = LoraLibrary.builder().addDir(loraDir).build();
        server = VegaServer.start(ServerConfig.builder().port(0).keys(ApiKeys.of(Map.of(KEY, 100L))).build(),
                Map.of(MODEL, Pipelines.load(Golden.root().resolve("tiny-vega").toString())),
                new RequestFeatures(library, Map.of()));
        http = new TestHttp(server).withKey(KEY);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    static String credits() {
        HttpResponse<byte[]> r = http.post("/v1/" + MODEL, BASE + ",\"prompt\":\"x\",\"lora\":\"good\"}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        return r.headers().firstValue("x-remaining-credits").orElseThrow();
    }

    @Test
    void aBrokenAdapterFileIs500NamingTheCauseOnTheSyncRoutes() {
        String before = credits();
        for (String name : new String[] {"truncated", "garbage"}) {
            HttpResponse<byte[]> r = http.post("/v1/" + MODEL, BASE + ",\"prompt\":\"x\",\"lora\":\"" + name + "\"}");
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).as(text).isEqualTo(500);
            JsonNode j = TestHttp.json(r);
            assertThat(j.get("error").asText()).isEqualTo("internal_error");
            assertThat(j.get("message").asText()).as(text).contains("the server's LoRA '" + name + "' cannot be read",
                    name + ".safetensors");
            // the operator's folder stays private, and no stack trace leaks
            assertThat(text).doesNotContain(loraDir.toString(), "\tat ", "Exception");

            HttpResponse<byte[]> a1111 = http.post("/sdapi/v1/txt2img", "{\"prompt\":\"x <lora:" + name + ":1>\","
                    + "\"steps\":2,\"width\":64,\"height\":64}");
            assertThat(a1111.statusCode()).isEqualTo(500);
            assertThat(TestHttp.json(a1111).get("message").asText()).contains("cannot be read");
        }
        // the failed jobs gave their credits back: one more good job costs exactly one
        assertThat(Integer.parseInt(credits())).isEqualTo(Integer.parseInt(before) - 1);
    }

    @Test
    void anAsyncJobWithABrokenAdapterFailsAsTheServersFault() throws InterruptedException {
        HttpResponse<byte[]> r = http.post("/v2/" + MODEL, BASE + ",\"prompt\":\"x\",\"lora\":\"truncated\"}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        String id = TestHttp.json(r).get("request_id").asText();
        JsonNode st = null;
        for (int i = 0; i < 600; i++) {
            st = TestHttp.json(http.get("/v2/requests/" + id));
            if (st.get("status").asText().equals("FAILED") || st.get("status").asText().equals("COMPLETED")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(st.get("status").asText()).as(st.toString()).isEqualTo("FAILED");
        assertThat(st.get("error").asText()).contains("the server's LoRA 'truncated' cannot be read");
        JsonNode f = st.get("failure");
        assertThat(f.get("kind").asText()).isEqualTo("model_failure");
        assertThat(f.get("status").asInt()).isEqualTo(500);
        assertThat(f.get("client_error").asBoolean()).isFalse();

        // the event stream ends with the same status
        HttpResponse<byte[]> events = http.get("/v2/requests/" + id + "/events");
        String sse = new String(events.body(), StandardCharsets.UTF_8);
        assertThat(sse).contains("event: done", "\"kind\":\"model_failure\"", "\"client_error\":false");
    }

    @Test
    void wrongRequestsAreStill400() {
        HttpResponse<byte[]> unknown = http.post("/v1/" + MODEL, BASE + ",\"prompt\":\"x\",\"lora\":\"nope\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(TestHttp.json(unknown).get("message").asText()).contains("unknown LoRA 'nope'");
        // an adapter made for another model is the request's fault, even next to a broken one
        HttpResponse<byte[]> misfit = http.post("/v1/" + MODEL, BASE + ",\"prompt\":\"x\",\"lora\":[\"truncated\","
                + "\"alien\"]}");
        assertThat(misfit.statusCode()).isEqualTo(400);
        assertThat(TestHttp.json(misfit).get("message").asText()).contains("LoRA 'alien' cannot be applied");
        HttpResponse<byte[]> size = http.post("/v1/" + MODEL, "{\"prompt\":\"x\",\"img_width\":60}");
        assertThat(size.statusCode()).isEqualTo(400);
        assertThat(http.post("/v1/" + MODEL, BASE + ",\"prompt\":\"x\",\"lora\":\"good\"}").statusCode())
                .isEqualTo(200);
    }
}

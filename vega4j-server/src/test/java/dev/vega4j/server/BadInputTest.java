package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.pipeline.ImageFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A corpus of bad requests: each gets the right 4xx with a message naming the problem, and the server keeps serving. */
@Timeout(60)
class BadInputTest {
    static final int MAX_BODY = 256 * 1024;
    static VegaServer server;
    static TestHttp http;

    @BeforeAll
    static void start() {
        server = VegaServer.start(ServerConfig.builder().port(0).maxBodyBytes(MAX_BODY).maxSide(1024).build(),
                Map.of("segmind-vega", new FakePipeline()));
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Stream<Arguments> corpus() {
        String bigPng = b64(ImageFiles.png(new BufferedImage(2000, 16, BufferedImage.TYPE_INT_RGB), null));
        String okPng = b64(ImageFiles.png(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), null));
        String v1 = "/v1/segmind-vega";
        return Stream.of(
                Arguments.of(v1, "{}", 400, "prompt is required"),
                Arguments.of(v1, "{\"prompt\":\"\"}", 400, "prompt must not be empty"),
                Arguments.of(v1, "{\"prompt\":\"   \"}", 400, "prompt must not be empty"),
                Arguments.of(v1, "{\"prompt\":5}", 400, "prompt must be a string"),
                Arguments.of(v1, "{\"prompt\":[\"a\"]}", 400, "prompt must be a string, got an array"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"num_inference_steps\":\"many\"}", 400,
                        "num_inference_steps must be a whole number"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"num_inference_steps\":0}", 400,
                        "num_inference_steps must be between 1 and 150, got 0"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"num_inference_steps\":100000000000000000000}", 400,
                        "num_inference_steps must be between"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"num_inference_steps\":2.5}", 400,
                        "num_inference_steps must be a whole number"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"guidance_scale\":-1}", 400, "guidance_scale must be between 0"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"guidance_scale\":\"NaN\"}", 400, "guidance_scale must be between"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"guidance_scale\":{}}", 400, "guidance_scale must be a number"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"samples\":5}", 400, "samples must be between 1 and 4, got 5"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"seed\":-2}", 400, "seed must be -1 (random) or between 0"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"seed\":1e30}", 400, "seed must be a whole number"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"seed\":18446744073709551615}", 400,
                        "seed must be at most 2^64-2"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"seed\":\"abc\"}", 400, "seed must be a whole number"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"img_width\":100000}", 400,
                        "img_width must be between 64 and 1024 pixels, got 100000"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"img_width\":65}", 400, "img_width must be a multiple of 8, got 65"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"img_height\":100}", 400, "img_height must be a multiple of 8"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"img_height\":4096,\"img_width\":4096}", 400,
                        "img_width must be between"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"scheduler\":\"Bogus Sampler\"}", 400,
                        "unknown scheduler 'Bogus Sampler'"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"scheduler\":7}", 400, "scheduler must be a string"),
                Arguments.of(v1, "{\"prompt\": \"x\"", 400, "not valid JSON"),
                Arguments.of(v1, "prompt=hello", 400, "not valid JSON"),
                Arguments.of(v1, "[1,2]", 400, "must be a JSON object, got an array"),
                Arguments.of(v1, "", 400, "request body is empty"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"init_image\":\"!!!not base64***\"}", 400,
                        "init_image is not valid base64"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"init_image\":\"" + b64("hello world".getBytes()) + "\"}", 400,
                        "init_image is not an image"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"init_image\":\"" + bigPng + "\"}", 400,
                        "init_image is 2000x16 pixels; each side must be at most 1024"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"init_image\":\"" + okPng + "\",\"strength\":2}", 400,
                        "strength must be between"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"init_image\":12}", 400, "init_image must be a string"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"img_format\":\"webp\"}", 400, "img_format must be png or jpeg"),
                Arguments.of(v1, "{\"prompt\":\"x\",\"base64\":\"maybe\"}", 400, "base64 must be true or false"),
                Arguments.of("/v1/not-a-model", "{\"prompt\":\"x\"}", 404, "no model 'not-a-model'"),
                Arguments.of("/v2/segmind-vega", "{\"prompt\":\"\"}", 400, "prompt must not be empty"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"batch_size\":3,\"n_iter\":2}", 400,
                        "batch_size x n_iter must be at most 4"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"sampler_name\":\"Turbo 9000\"}", 400,
                        "sampler_name: unknown scheduler 'Turbo 9000'; valid names: DDIM"),
                Arguments.of(v1, "{\"prompt\":\"reject me\"}", 400, "the fake pipeline rejects this prompt"),
                Arguments.of("/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"cfg_scale\":\"high\"}", 400,
                        "cfg_scale must be a number"),
                Arguments.of("/sdapi/v1/img2img", "{\"prompt\":\"x\"}", 400, "init_images must be an array"),
                Arguments.of("/sdapi/v1/img2img", "{\"prompt\":\"x\",\"init_images\":[\"AAAA\"]}", 400,
                        "init_images[0] is not an image"),
                Arguments.of("/v1/images/generations", "{\"prompt\":\"x\",\"size\":\"big\"}", 400,
                        "size must look like"),
                Arguments.of("/v1/images/generations", "{\"prompt\":\"x\",\"size\":\"8192x8192\"}", 400,
                        "size (width) must be between"),
                Arguments.of("/v1/images/generations", "{\"prompt\":\"x\",\"n\":10}", 400, "n must be between 1 and 4"),
                Arguments.of("/v1/images/generations", "{}", 400, "prompt is required"));
    }

    @ParameterizedTest(name = "{index}: {0} {1}")
    @MethodSource("corpus")
    void rejectedWithReadableMessage(String path, String body, int status, String message) {
        HttpResponse<byte[]> r = http.post(path, body);
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(text).isEqualTo(status);
        JsonNode j = TestHttp.json(r);
        String msg = path.startsWith("/v1/images") ? j.at("/error/message").asText() : j.get("message").asText();
        assertThat(msg).contains(message);
        assertThat(text).doesNotContain("Exception", "\tat ");
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void oversizedBodiesGet413WithOrWithoutContentLength() {
        byte[] big = ("{\"prompt\":\"" + "a".repeat(MAX_BODY) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(TestHttp.json(r).get("message").asText()).contains("larger than the server's limit");

        HttpResponse<byte[]> chunked = http.send(http.request("/v2/segmind-vega")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
        assertThat(chunked.statusCode()).isEqualTo(413);

        HttpResponse<byte[]> openai = http.post("/v1/images/generations", big);
        assertThat(openai.statusCode()).isEqualTo(413);
        assertThat(TestHttp.json(openai).at("/error/message").asText()).contains("limit");
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void malformedHttpIsRefusedWithoutInternals() throws Exception {
        for (String raw : new String[] {"GARBAGE\r\n\r\n", "POST /v1/segmind-vega HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: -5\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                + "\r\n\r\n"}) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(raw.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(reply).startsWith("HTTP/1.1 4").doesNotContain("at org.", "Exception", "jetty://");
            }
        }
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void internalErrorsAre500WithoutInternals() {
        for (String path : new String[] {"/v1/segmind-vega", "/sdapi/v1/txt2img", "/v1/images/generations"}) {
            HttpResponse<byte[]> r = http.post(path, "{\"prompt\":\"explode\"}");
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(text).contains("internal error").doesNotContain("Exception", "Secret", "\tat ", "simulated");
        }
        HttpResponse<byte[]> async = http.post("/v2/segmind-vega", "{\"prompt\":\"explode\"}");
        String id = TestHttp.json(async).get("request_id").asText();
        JsonNode st;
        int tries = 0;
        do {
            st = TestHttp.json(http.get("/v2/requests/" + id));
        } while (!st.get("status").asText().equals("FAILED") && tries++ < 1000);
        assertThat(st.get("error").asText()).contains("internal error").doesNotContain("Secret");
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void stillServesGoodRequestsAfterTheCorpus() {
        corpus().forEach(a -> http.post((String) a.get()[0], (String) a.get()[1]));
        HttpResponse<byte[]> ok = http.post("/v1/segmind-vega", "{\"prompt\":\"fine\",\"num_inference_steps\":2}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(server.engine().jobs()).allSatisfy(j -> assertThat(j.state().isFinal()).isTrue());
    }
}

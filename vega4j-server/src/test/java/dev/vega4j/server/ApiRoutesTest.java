package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.pipeline.ImageFiles;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every route's happy path against the fake pipeline: Segmind v1/v2 + events, AUTOMATIC1111, OpenAI, health, metrics. */
@Timeout(60)
class ApiRoutesTest {
    static FakePipeline fake = new FakePipeline();
    static VegaServer server;
    static TestHttp http;

    @BeforeAll
    static void start() {
        server = VegaServer.start(ServerConfig.builder().port(0).build(), Map.of("segmind-vega", fake));
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static BufferedImage decode(byte[] bytes) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    static void assertColor(BufferedImage img, int rgb) {
        int got = img.getRGB(img.getWidth() / 2, img.getHeight() / 2) & 0xffffff;
        for (int shift = 0; shift <= 16; shift += 8) {
            assertThat(Math.abs(((got >> shift) & 255) - ((rgb >> shift) & 255))).as("channel at bit " + shift)
                    .isLessThanOrEqualTo(6);
        }
    }

    @Test
    void segmindSyncReturnsJpegByDefaultWithSeedHeader() throws Exception {
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega", "{\"prompt\":\"a fox\",\"seed\":42,\"num_inference_steps\":3}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("image/jpeg"));
        assertThat(r.headers().firstValue("x-seed")).hasValue("42");
        assertThat(r.headers().firstValue("x-remaining-credits")).isEmpty();
        BufferedImage img = decode(r.body());
        assertThat(img.getWidth()).isEqualTo(64);
        assertColor(img, FakePipeline.colorOf("a fox", 42, 0));
    }

    @Test
    void segmindPngCarriesA1111ParametersAndRespectsSize() throws Exception {
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega", "{\"prompt\":\"a cat\",\"seed\":7,\"img_format\":\"png\","
                + "\"img_width\":128,\"img_height\":96,\"negative_prompt\":\"blurry\",\"scheduler\":\"euler  A\","
                + "\"guidance_scale\":5,\"num_inference_steps\":4}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("image/png");
        BufferedImage img = decode(r.body());
        assertThat(img.getWidth()).isEqualTo(128);
        assertThat(img.getHeight()).isEqualTo(96);
        assertThat(ImageFiles.readParameters(r.body())).isEqualTo(
                "a cat\nNegative prompt: blurry\nSteps: 4, Sampler: Euler a, CFG scale: 5, Seed: 7, Size: 128x96,"
                        + " Model: fake-vega");
    }

    @Test
    void segmindBase64AndSeveralSamplesGiveJson() throws Exception {
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega",
                "{\"prompt\":\"boats\",\"seed\":\"9\",\"samples\":2,\"num_inference_steps\":2,\"format\":\"png\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode j = TestHttp.json(r);
        assertThat(j.get("images")).hasSize(2);
        assertThat(j.get("seed").asLong()).isEqualTo(9);
        assertThat(j.at("/parameters/num_inference_steps").asInt()).isEqualTo(2);
        assertThat(j.at("/parameters/samples").asInt()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            assertColor(decode(Base64.getDecoder().decode(j.get("images").get(i).asText())),
                    FakePipeline.colorOf("boats", 9, i));
        }
        HttpResponse<byte[]> one = http.post("/v1/segmind-vega", "{\"prompt\":\"boats\",\"base64\":true}");
        assertThat(TestHttp.json(one).get("images")).hasSize(1);
        assertThat(TestHttp.json(one).get("image").asText()).isNotEmpty();
    }

    @Test
    void randomSeedIsReportedAndReproduces() throws Exception {
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega", "{\"prompt\":\"dice\",\"seed\":-1,\"base64\":true}");
        long seed = Long.parseLong(r.headers().firstValue("x-seed").orElseThrow());
        assertThat(TestHttp.json(r).get("seed").asLong()).isEqualTo(seed);
        HttpResponse<byte[]> again = http.post("/v1/segmind-vega",
                "{\"prompt\":\"dice\",\"seed\":" + seed + ",\"base64\":true}");
        assertThat(TestHttp.json(again).get("images").get(0).asText())
                .isEqualTo(TestHttp.json(r).get("images").get(0).asText());
    }

    @Test
    void img2imgUsesTheInitImage() throws Exception {
        BufferedImage init = new BufferedImage(80, 72, BufferedImage.TYPE_INT_RGB);
        init.setRGB(0, 0, 0x102030);
        String b64 = Base64.getEncoder().encodeToString(ImageFiles.png(init, null));
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega", "{\"prompt\":\"paint\",\"seed\":3,\"strength\":0.5,"
                + "\"img_format\":\"png\",\"init_image\":\"data:image/png;base64," + b64 + "\"}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        BufferedImage img = decode(r.body());
        assertThat(img.getWidth()).isEqualTo(80);
        assertColor(img, FakePipeline.colorOf("paint", 3, 0) ^ 0x102030);
        assertThat(ImageFiles.readParameters(r.body())).contains("Denoising strength: 0.5");
    }

    @Test
    void asyncJobCompletesAndStatusShowsResult() throws Exception {
        HttpResponse<byte[]> r = http.post("/v2/segmind-vega", "{\"prompt\":\"async fox\",\"seed\":5}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode j = TestHttp.json(r);
        String id = j.get("request_id").asText();
        assertThat(j.get("status_url").asText()).endsWith("/v2/requests/" + id);
        JsonNode st = null;
        for (int i = 0; i < 600; i++) {
            st = TestHttp.json(http.get("/v2/requests/" + id));
            if (st.get("status").asText().equals("COMPLETED")) {
                break;
            }
            Thread.sleep(25);
        }
        assertThat(st.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(st.at("/progress/step").asInt()).isEqualTo(25);
        assertThat(st.at("/result/seed").asLong()).isEqualTo(5);
        assertColor(decode(Base64.getDecoder().decode(st.at("/result/images/0").asText())),
                FakePipeline.colorOf("async fox", 5, 0));
        assertThat(http.get("/v2/requests/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void eventsStreamProgressThenDone() throws Exception {
        // The job waits at its first step until the stream has shown progress, so the order is deterministic.
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        fake.gate = gate;
        try {
            String id = TestHttp.json(http.post("/v2/segmind-vega",
                    "{\"prompt\":\"sse\",\"num_inference_steps\":6}")).get("request_id").asText();
            HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<java.io.InputStream> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/v2/requests/" + id + "/events")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
            List<String> events = new ArrayList<>();
            String doneData = null;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                String event = null;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                        events.add(event);
                    } else if (line.startsWith("data: ") && "done".equals(event)) {
                        doneData = line.substring(6);
                    } else if (line.startsWith("data: ")) {
                        gate.countDown();
                    }
                }
            }
            assertThat(events).first().isEqualTo("progress");
            assertThat(events).last().isEqualTo("done");
            JsonNode done = TestHttp.JSON.readTree(doneData);
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.at("/result/images")).hasSize(1);
        } finally {
            fake.gate = null;
            gate.countDown();
        }
    }

    @Test
    void a1111Txt2ImgAndImg2Img() throws Exception {
        HttpResponse<byte[]> r = http.post("/sdapi/v1/txt2img", "{\"prompt\":\"a1111\",\"steps\":3,\"cfg_scale\":6,"
                + "\"seed\":11,\"sampler_name\":\"DPM++ 2M Karras\",\"width\":64,\"height\":64,\"batch_size\":2}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode j = TestHttp.json(r);
        assertThat(j.get("images")).hasSize(2);
        byte[] png = Base64.getDecoder().decode(j.get("images").get(0).asText());
        assertThat(ImageFiles.readParameters(png)).contains("Sampler: DPM++ 2M Karras", "Seed: 11", "Steps: 3");
        JsonNode info = TestHttp.JSON.readTree(j.get("info").asText());
        assertThat(info.get("seed").asLong()).isEqualTo(11);
        assertThat(info.get("infotexts")).hasSize(2);
        assertThat(j.at("/parameters/prompt").asText()).isEqualTo("a1111");

        String init = j.get("images").get(0).asText();
        HttpResponse<byte[]> i2i = http.post("/sdapi/v1/img2img", "{\"prompt\":\"again\",\"seed\":1,"
                + "\"denoising_strength\":0.4,\"init_images\":[\"" + init + "\"]}");
        assertThat(i2i.statusCode()).as(new String(i2i.body())).isEqualTo(200);
        JsonNode info2 = TestHttp.JSON.readTree(TestHttp.json(i2i).get("info").asText());
        assertThat(info2.get("denoising_strength").asDouble()).isEqualTo(0.4);
    }

    @Test
    void a1111Listings() {
        JsonNode samplers = TestHttp.json(http.get("/sdapi/v1/samplers"));
        assertThat(samplers).hasSize(SchedulerNames.names().size());
        assertThat(samplers.findValuesAsText("name")).contains("DPM++ 2M Karras", "Euler a", "LCM")
                .allMatch(dev.vega4j.schedulers.SchedulerRegistry::contains);
        JsonNode models = TestHttp.json(http.get("/sdapi/v1/sd-models"));
        assertThat(models.get(0).get("model_name").asText()).isEqualTo("segmind-vega");
        JsonNode progress = TestHttp.json(http.get("/sdapi/v1/progress"));
        assertThat(progress.has("progress")).isTrue();
        assertThat(progress.at("/state/job_count").isInt()).isTrue();
    }

    @Test
    void openAiGenerations() throws Exception {
        HttpResponse<byte[]> r = http.send(http.request("/v1/images/generations")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"dall-e-2\",\"prompt\":\"openai\",\"n\":2,"
                        + "\"size\":\"128x64\",\"response_format\":\"b64_json\",\"seed\":4}")).build());
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode j = TestHttp.json(r);
        assertThat(j.get("data")).hasSize(2);
        BufferedImage img = decode(Base64.getDecoder().decode(j.at("/data/1/b64_json").asText()));
        assertThat(img.getWidth()).isEqualTo(128);
        assertThat(img.getHeight()).isEqualTo(64);
        assertColor(img, FakePipeline.colorOf("openai", 4, 1));
        HttpResponse<byte[]> url = http.post("/v1/images/generations", "{\"prompt\":\"x\",\"response_format\":\"url\"}");
        assertThat(url.statusCode()).isEqualTo(400);
        assertThat(TestHttp.json(url).at("/error/message").asText()).contains("b64_json");
    }

    @Test
    void healthMetricsAndPage() {
        JsonNode h = TestHttp.json(http.get("/health"));
        assertThat(h.get("status").asText()).isEqualTo("ok");
        assertThat(h.get("models").get(0).asText()).isEqualTo("segmind-vega");
        http.post("/v1/segmind-vega", "{\"prompt\":\"metrics\",\"num_inference_steps\":2}");
        http.post("/v1/segmind-vega", "{\"prompt\":\"\"}");
        String m = new String(http.get("/metrics").body(), StandardCharsets.UTF_8);
        assertThat(m).contains("vega_queue_depth 0", "vega_jobs{state=\"COMPLETED\"}", "vega_step_seconds_count",
                "vega_jobs_finished_total{outcome=\"completed\"}", "vega_http_responses_total{code=\"200\"}",
                "vega_http_responses_total{code=\"400\"}");
        HttpResponse<byte[]> page = http.get("/");
        assertThat(page.headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertThat(html).contains("id=\"prompt\"", "EventSource").doesNotContain("http://", "https://");
        assertThat(http.get("/no/such/route").statusCode()).isEqualTo(404);
        assertThat(TestHttp.json(http.get("/no/such/route")).get("error").asText()).isEqualTo("not_found");
    }
}

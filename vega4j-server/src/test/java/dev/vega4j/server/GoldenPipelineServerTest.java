package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.golden.Golden;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real pipeline behind the server: the tiny random-weight Vega of the golden data, loaded with
 * {@link Pipelines#load}. What the HTTP APIs return must be exactly what the pipeline gives when called directly with
 * the same request (same seed, steps, size, scheduler), down to the PNG bytes.
 */
@Timeout(120)
class GoldenPipelineServerTest {
    static Pipeline direct;
    static VegaServer server;
    static TestHttp http;

    @BeforeAll
    static void start() {
        String tiny = Golden.root().resolve("tiny-vega").toString();
        // One instance serves both: the direct calls and the server's worker never run at the same time (every HTTP
        // call below is synchronous), and loading once keeps the test short.
        direct = Pipelines.load(tiny);
        server = VegaServer.start(ServerConfig.builder().port(0).build(), Map.of("tiny-vega", direct));
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(); // closes the pipeline too
        }
    }

    static byte[] directPng(GenerationRequest req) {
        GenerationResult r = direct.generate(req);
        return ImageFiles.png(r.images().get(0), r.parameters().a1111Infotext());
    }

    @Test
    void segmindRouteGivesTheDirectPipelinePngByteForByte() {
        HttpResponse<byte[]> r = http.post("/v1/tiny-vega", "{\"prompt\":\"a red fox in the snow\","
                + "\"negative_prompt\":\"blurry\",\"seed\":42,\"num_inference_steps\":3,\"guidance_scale\":7.5,"
                + "\"scheduler\":\"Euler a\",\"img_width\":64,\"img_height\":64,\"img_format\":\"png\"}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        byte[] expected = directPng(GenerationRequest.builder("a red fox in the snow").negativePrompt("blurry")
                .seed(42).steps(3).guidanceScale(7.5).scheduler("Euler a").size(64, 64).build());
        assertThat(r.body()).isEqualTo(expected);
        assertThat(ImageFiles.readParameters(r.body())).contains("Seed: 42", "Sampler: Euler a", "Size: 64x64");
    }

    @Test
    void a1111RouteGivesTheSameImage() {
        HttpResponse<byte[]> r = http.post("/sdapi/v1/txt2img", "{\"prompt\":\"a lighthouse\",\"seed\":7,"
                + "\"steps\":2,\"cfg_scale\":5,\"sampler_name\":\"DPM++ 2M Karras\",\"width\":64,\"height\":64}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode j = TestHttp.json(r);
        byte[] png = Base64.getDecoder().decode(j.get("images").get(0).asText());
        byte[] expected = directPng(GenerationRequest.builder("a lighthouse").seed(7).steps(2).guidanceScale(5)
                .scheduler("DPM++ 2M Karras").size(64, 64).build());
        assertThat(png).isEqualTo(expected);
    }

    @Test
    void modelDefaultsAndProgressComeFromThePipeline() {
        HttpResponse<byte[]> r = http.post("/v1/tiny-vega", "{\"prompt\":\"x\",\"seed\":1,\"num_inference_steps\":2,"
                + "\"base64\":true}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode p = TestHttp.json(r).get("parameters");
        Pipeline.ModelInfo info = direct.info();
        assertThat(p.get("img_width").asInt()).isEqualTo(info.defaultWidth());
        assertThat(p.get("img_height").asInt()).isEqualTo(info.defaultHeight());
        assertThat(server.engine().jobs()).allSatisfy(job -> assertThat(job.step()).isEqualTo(job.total()));
        String metrics = new String(http.get("/metrics").body());
        assertThat(metrics).doesNotContain("vega_step_seconds_count 0\n");
    }

    /** The finished job of a request, found by its (unique) prompt. */
    static Job jobOf(String prompt) {
        return server.engine().jobs().stream().filter(j -> j.request().prompt().equals(prompt)).findFirst()
                .orElseThrow();
    }

    @Test
    void progressCountsDenoisingStepsLikeDiffusersNotUNetCalls() throws InterruptedException {
        // Heun: 2n-1 = 5 UNet calls for 3 steps; the status says 3 of 3, as diffusers' progress bar does
        String id = TestHttp.json(http.post("/v2/tiny-vega", "{\"prompt\":\"heun progress\",\"seed\":1,"
                + "\"num_inference_steps\":3,\"scheduler\":\"Heun\",\"img_width\":64,\"img_height\":64}"))
                .get("request_id").asText();
        JsonNode status;
        long deadline = System.currentTimeMillis() + 60_000;
        do {
            Thread.sleep(50);
            status = TestHttp.json(http.get("/v2/requests/" + id));
        } while (!status.get("status").asText().equals("COMPLETED") && System.currentTimeMillis() < deadline);
        assertThat(status.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(status.at("/progress/step").asInt()).isEqualTo(3);
        assertThat(status.at("/progress/total").asInt()).isEqualTo(3);

        // img2img: 10 steps at strength 0.3 run 3 (diffusers' get_timesteps), whatever the scheduler's calls
        HttpResponse<byte[]> t2i = http.post("/sdapi/v1/txt2img", "{\"prompt\":\"init\",\"seed\":2,\"steps\":1,"
                + "\"width\":64,\"height\":64}");
        String init = TestHttp.json(t2i).get("images").get(0).asText();
        HttpResponse<byte[]> i2i = http.post("/sdapi/v1/img2img", "{\"prompt\":\"img2img progress\",\"seed\":1,"
                + "\"steps\":10,\"sampler_name\":\"Heun\",\"denoising_strength\":0.3,\"init_images\":[\"" + init
                + "\"]}");
        assertThat(i2i.statusCode()).as(new String(i2i.body())).isEqualTo(200);
        Job job = jobOf("img2img progress");
        assertThat(job.step()).isEqualTo(3);
        assertThat(job.total()).isEqualTo(3);
    }
}

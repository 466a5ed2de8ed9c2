package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.schedulers.PredictionType;
import dev.vega4j.schedulers.SchedulerOverrides;
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
    void schedulerConfigOverridesReachThePipeline() {
        String plain = "{\"prompt\":\"a fox\",\"seed\":5,\"num_inference_steps\":2,\"img_width\":64,"
                + "\"img_height\":64,\"img_format\":\"png\"";
        HttpResponse<byte[]> r = http.post("/v1/tiny-vega", plain
                + ",\"prediction_type\":\"v_prediction\",\"rescale_betas_zero_snr\":true}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        var overrides = new SchedulerOverrides(PredictionType.V_PREDICTION, true);
        GenerationRequest.Builder req = GenerationRequest.builder("a fox").seed(5).steps(2).size(64, 64);
        assertThat(r.body()).isEqualTo(directPng(req.schedulerOverrides(overrides).build()))
                .isNotEqualTo(directPng(req.schedulerOverrides(SchedulerOverrides.NONE).build()));
        HttpResponse<byte[]> bad = http.post("/v1/tiny-vega", plain + ",\"prediction_type\":\"velocity\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body())).contains("epsilon, v_prediction or sample");
        HttpResponse<byte[]> heun = http.post("/v1/tiny-vega", plain
                + ",\"scheduler\":\"Heun\",\"rescale_betas_zero_snr\":true}");
        assertThat(heun.statusCode()).isEqualTo(400);
        assertThat(new String(heun.body())).contains("HeunDiscreteScheduler");
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
    void inpaintingOverHttpGivesTheDirectPipelineImage() throws java.io.IOException {
        java.nio.file.Path dir = Golden.root().resolve("cases/inpaint");
        String stem = "tiny-vega__dpmpp2m_karras_soft_s0.75_6steps_neg_96x64";
        java.nio.file.Path initPath = dir.resolve(stem + ".init.png"), maskPath = dir.resolve(stem + ".mask.png");
        String init = Base64.getEncoder().encodeToString(java.nio.file.Files.readAllBytes(initPath));
        String mask = Base64.getEncoder().encodeToString(java.nio.file.Files.readAllBytes(maskPath));
        java.awt.image.BufferedImage initImg = ImageFiles.read(initPath), maskImg = ImageFiles.read(maskPath);

        HttpResponse<byte[]> r = http.post("/v1/tiny-vega", "{\"prompt\":\"a red door\",\"seed\":3,"
                + "\"num_inference_steps\":2,\"strength\":0.9,\"img_format\":\"png\",\"init_image\":\"" + init
                + "\",\"mask\":\"" + mask + "\"}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.body()).isEqualTo(directPng(GenerationRequest.builder("a red door").seed(3).steps(2)
                .initImage(initImg).mask(maskImg).strength(0.9).build()));

        // A1111: inpainting_mask_invert repaints the black part
        HttpResponse<byte[]> a = http.post("/sdapi/v1/img2img", "{\"prompt\":\"a red door\",\"seed\":3,\"steps\":2,"
                + "\"denoising_strength\":0.9,\"mask_blur\":4,\"inpainting_mask_invert\":1,\"init_images\":[\""
                + init + "\"],\"mask\":\"" + mask + "\"}");
        assertThat(a.statusCode()).as(new String(a.body())).isEqualTo(200);
        var inverted = new java.awt.image.BufferedImage(maskImg.getWidth(), maskImg.getHeight(),
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < maskImg.getHeight(); y++) {
            for (int x = 0; x < maskImg.getWidth(); x++) {
                inverted.getRaster().setSample(x, y, 0, 255 - maskImg.getRaster().getSample(x, y, 0));
            }
        }
        byte[] png = Base64.getDecoder().decode(TestHttp.json(a).get("images").get(0).asText());
        assertThat(png).isEqualTo(directPng(GenerationRequest.builder("a red door").seed(3).steps(2)
                .initImage(initImg).mask(inverted).strength(0.9).build()));

        HttpResponse<byte[]> noInit = http.post("/v1/tiny-vega", "{\"prompt\":\"x\",\"mask\":\"" + mask + "\"}");
        assertThat(noInit.statusCode()).isEqualTo(400);
        assertThat(new String(noInit.body())).contains("mask needs init_image");
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

package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.Golden;
import dev.vega4j.lora.ActiveLora;
import dev.vega4j.lora.LoraAdapter;
import dev.vega4j.lora.LoraComponent;
import dev.vega4j.lora.LoraTargets;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.prompt.WeightedPromptEncoder;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-request LoRA adapters and prompt weighting on the tiny golden Vega with the golden LoRA files: what the HTTP
 * routes return must be exactly what the pipeline gives when the same adapter is attached directly (the PNG bytes,
 * infotext included), and after any job the model must be the one that was loaded.
 */
@Timeout(180)
class LoraServerTest {
    static final String MODEL = "tiny-vega";
    static final String BASE = "{\"seed\":42,\"num_inference_steps\":2,\"img_width\":64,\"img_height\":64,"
            + "\"img_format\":\"png\"";
    @TempDir
    static Path loraDir;
    static Path tinyDir;
    static DiffusionPipeline base;
    static Pipeline weighted;
    static VegaServer server;
    static TestHttp http;

    @BeforeAll
    static void start() throws IOException {
        Path golden = Golden.root().resolve("cases/lora");
        Files.copy(golden.resolve("lora_kohya.safetensors"), loraDir.resolve("kohya-style.safetensors"));
        Files.createDirectories(loraDir.resolve("sub"));
        Files.copy(golden.resolve("lora_diffusers.safetensors"), loraDir.resolve("sub/diffusers-style.safetensors"));
        writeAlien(loraDir.resolve("alien.safetensors"), Map.of("ss_output_name", "Alien Style"));
        LoraLibrary library = LoraLibrary.builder().addDir(loraDir)
                .add("peft", golden.resolve("lora_peft_layout.safetensors")).build();
        tinyDir = Golden.root().resolve("tiny-vega");
        base = (DiffusionPipeline) Pipelines.load(tinyDir.toString());
        weighted = WeightedPromptEncoder.enable(base, PipelineFolder.openConfigsOnly(tinyDir),
                WeightedPromptEncoder.Options.A1111);
        Map<String, Pipeline> models = new LinkedHashMap<>();
        models.put(MODEL, base);
        models.put("fake", new FakePipeline());
        // The direct calls below and the server's worker share the pipeline; every HTTP call here is synchronous
        // (or awaited), so they never run at the same time.
        server = VegaServer.start(ServerConfig.builder().port(0).build(), models,
                new RequestFeatures(library, Map.of(MODEL, weighted)));
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** An adapter for some other network: its module names no layer of the tiny Vega. */
    static void writeAlien(Path file, Map<String, String> metadata) {
        Map<String, dev.vega4j.tensor.Tensor> alien = new LinkedHashMap<>();
        alien.put("lora_unet_no_such_block_proj.lora_down.weight", dev.vega4j.tensor.Tensor.zeros(4, 8));
        alien.put("lora_unet_no_such_block_proj.lora_up.weight", dev.vega4j.tensor.Tensor.zeros(8, 4));
        dev.vega4j.io.SafetensorsWriter.write(file, alien, metadata);
    }

    static Path loraFile(String name) {
        return switch (name) {
            case "kohya-style" -> loraDir.resolve("kohya-style.safetensors");
            case "diffusers-style" -> loraDir.resolve("sub/diffusers-style.safetensors");
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The image of {@code pipeline} with {@code name} attached (te / unet strengths), as PNG with {@code infotext}. */
    static byte[] direct(Pipeline pipeline, GenerationRequest req, String name, float te, float unet,
            String infotext) {
        List<ActiveLora> attached = new ArrayList<>();
        if (name != null) {
            ActiveLora a = LoraTargets.of(base).attach(LoraAdapter.load(loraFile(name)), 1f);
            a.setTextEncoderScale(te);
            a.setUnetScale(unet);
            attached.add(a);
        }
        try {
            GenerationResult r = pipeline.generate(req);
            return ImageFiles.png(r.images().get(0), infotext != null ? infotext : r.parameters().a1111Infotext());
        } finally {
            attached.forEach(ActiveLora::detach);
        }
    }

    static GenerationRequest.Builder request(String prompt) {
        return GenerationRequest.builder(prompt).seed(42).steps(2).size(64, 64);
    }

    static HttpResponse<byte[]> segmind(String fields) {
        HttpResponse<byte[]> r = http.post("/v1/" + MODEL, BASE + "," + fields + "}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        return r;
    }

    static void assertModelUntouched() {
        for (LoraComponent c : LoraComponent.values()) {
            assertThat(LoraTargets.of(base).layers(c).values()).allSatisfy(l -> assertThat(l.deltas().isEmpty())
                    .isTrue());
        }
    }

    @Test
    void segmindLoraGivesTheDirectPipelineImageWithThatAdapter() {
        HttpResponse<byte[]> r = segmind("\"prompt\":\"a red fox\",\"lora\":\"kohya-style:0.7\"");
        String infotext = ImageFiles.readParameters(r.body());
        assertThat(infotext).startsWith("a red fox <lora:kohya-style:0.7>\n")
                .contains("Seed: 42").matches("(?s).*, Lora hashes: \"kohya-style: [0-9a-f]{12}\"$");
        byte[] expected = direct(base, request("a red fox").build(), "kohya-style", 0.7f, 0.7f, infotext);
        assertThat(r.body()).isEqualTo(expected);
        assertModelUntouched();
    }

    @Test
    void scaleZeroIsNoLoraAndEveryJobLeavesTheModelAsLoaded() {
        // a second, never-touched instance: what a fresh server would draw
        byte[] fresh;
        try (Pipeline untouched = Pipelines.load(tinyDir.toString())) {
            GenerationResult g = untouched.generate(request("a lighthouse").build());
            fresh = ImageFiles.png(g.images().get(0), g.parameters().a1111Infotext());
        }
        HttpResponse<byte[]> zero = segmind("\"prompt\":\"a lighthouse\",\"lora\":{\"name\":\"kohya-style\","
                + "\"scale\":0}");
        assertThat(ImageFiles.readParameters(zero.body())).contains("<lora:kohya-style:0>");
        assertThat(decodePixels(zero.body())).isEqualTo(decodePixels(fresh));

        HttpResponse<byte[]> withLora = segmind("\"prompt\":\"a lighthouse\",\"lora\":[\"kohya-style\","
                + "{\"name\":\"diffusers-style\",\"weight\":-0.5}]");
        assertThat(decodePixels(withLora.body())).isNotEqualTo(decodePixels(fresh));
        assertModelUntouched();

        HttpResponse<byte[]> after = segmind("\"prompt\":\"a lighthouse\"");
        assertThat(after.body()).isEqualTo(fresh);
    }

    @Test
    void a1111LoraTagsAreStrippedAndAppliedWithA1111Weighting() throws IOException {
        String prompt = "a (lighthouse:1.2) <lora:diffusers-style:0.5>";
        HttpResponse<byte[]> r = http.post("/sdapi/v1/txt2img", "{\"prompt\":\"" + prompt + "\","
                + "\"negative_prompt\":\"blurry\",\"seed\":7,\"steps\":2,\"width\":64,\"height\":64}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode j = TestHttp.json(r);
        byte[] png = Base64.getDecoder().decode(j.get("images").get(0).asText());
        JsonNode info = TestHttp.JSON.readTree(j.get("info").asText());
        String infotext = info.get("infotexts").get(0).asText();
        assertThat(infotext).startsWith(prompt + "\nNegative prompt: blurry\n")
                .contains("Lora hashes: \"diffusers-style: ");
        assertThat(info.get("prompt").asText()).isEqualTo(prompt);
        assertThat(info.get("extra_generation_params").get("Lora hashes").asText()).matches("diffusers-style: [0-9a-f]{12}");
        assertThat(ImageFiles.readParameters(png)).isEqualTo(infotext);
        // A1111 removes the tag and nothing else; the emphasis is A1111's
        GenerationRequest req = GenerationRequest.builder("a (lighthouse:1.2) ").negativePrompt("blurry").seed(7)
                .steps(2).size(64, 64).build();
        assertThat(png).isEqualTo(direct(weighted, req, "diffusers-style", 0.5f, 0.5f, infotext));

        // <lora:name:te:unet>: separate text-encoder and UNet strengths
        HttpResponse<byte[]> split = http.post("/sdapi/v1/txt2img", "{\"prompt\":\"a boat <lora:kohya-style:0.25:1.5>\","
                + "\"seed\":7,\"steps\":2,\"width\":64,\"height\":64}");
        assertThat(split.statusCode()).as(new String(split.body())).isEqualTo(200);
        JsonNode sj = TestHttp.json(split);
        byte[] splitPng = Base64.getDecoder().decode(sj.get("images").get(0).asText());
        GenerationRequest boat = GenerationRequest.builder("a boat ").seed(7).steps(2).size(64, 64).build();
        assertThat(splitPng).isEqualTo(direct(weighted, boat, "kohya-style", 0.25f, 1.5f,
                ImageFiles.readParameters(splitPng)));
        assertModelUntouched();
    }

    @Test
    void promptWeightingIsOptInOnSegmindAndEqualsTheWeightedEncoder() {
        String prompt = "a (red fox:1.5) in the [snow]";
        HttpResponse<byte[]> on = segmind("\"prompt\":\"" + prompt + "\",\"prompt_weighting\":true");
        HttpResponse<byte[]> off = segmind("\"prompt\":\"" + prompt + "\"");
        assertThat(decodePixels(on.body())).isNotEqualTo(decodePixels(off.body()));
        assertThat(on.body()).isEqualTo(direct(weighted, request(prompt).build(), null, 0, 0, null));
        assertThat(off.body()).isEqualTo(direct(base, request(prompt).build(), null, 0, 0, null));
    }

    @Test
    void asyncStatusReportsTheAdaptersAndWeighting() throws InterruptedException {
        HttpResponse<byte[]> r = http.post("/v2/" + MODEL, BASE + ",\"prompt\":\"x\",\"prompt_weighting\":true,"
                + "\"loras\":[{\"name\":\"peft\",\"scale\":\"0.5\"}]}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        String id = TestHttp.json(r).get("request_id").asText();
        JsonNode s = null;
        for (int i = 0; i < 600; i++) {
            s = TestHttp.json(http.get("/v2/requests/" + id));
            if (s.get("status").asText().equals("COMPLETED") || s.get("status").asText().equals("FAILED")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(s.get("status").asText()).as(s.toString()).isEqualTo("COMPLETED");
        assertThat(s.get("prompt_weighting").asBoolean()).isTrue();
        assertThat(s.get("lora").get(0).get("name").asText()).isEqualTo("peft");
        assertThat(s.get("lora").get(0).get("scale").asDouble()).isEqualTo(0.5);
        JsonNode p = s.get("result").get("parameters");
        assertThat(p.get("lora").get(0).get("hash").asText()).hasSize(12);
        assertThat(p.get("infotext").asText()).contains("x <lora:peft:0.5>", "Lora hashes: \"peft: ");
        assertModelUntouched();
    }

    @Test
    void badLoraRequestsAre400sNamingTheProblem() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("\"lora\":\"nope\"", "unknown LoRA 'nope'; available: alien, diffusers-style, kohya-style, peft");
        cases.put("\"lora\":\"Alien Style\"", "LoRA 'alien' cannot be applied to 'tiny-vega': alien.safetensors does"
                + " not fit this model");
        cases.put("\"lora\":\"kohya-style:abc\"", "the LoRA scale must be a number");
        cases.put("\"lora\":\"kohya-style:11\"", "between -10 and 10");
        cases.put("\"lora\":{\"name\":\"kohya-style\",\"scale\":\"NaN\"}", "must be a number");
        cases.put("\"lora\":[{\"name\":\"kohya-style\",\"scale\":1e9}]", "lora[0].scale: the LoRA scale must be");
        cases.put("\"lora\":{\"name\":\"kohya-style\",\"path\":\"/x\"}", "unknown field 'path'");
        cases.put("\"lora\":42", "lora must be \\\"name\\\"");
        cases.put("\"lora\":\"../kohya-style\"", "is not a LoRA name");
        cases.put("\"lora\":\"/etc/passwd\"", "never a path");
        cases.put("\"lora\":\"sub/diffusers-style\"", "never a path");
        cases.put("\"lora\":\"..\\\\kohya-style\"", "never a path");
        cases.put("\"lora\":\"..\"", "never a path");
        cases.put("\"prompt_weighting\":\"maybe\"", "prompt_weighting must be true or false");
        for (var c : cases.entrySet()) {
            HttpResponse<byte[]> r = http.post("/v1/" + MODEL, "{\"prompt\":\"x\"," + c.getKey() + "}");
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(new String(r.body())).as(c.getKey()).contains(c.getValue());
            HttpResponse<byte[]> async = http.post("/v2/" + MODEL, "{\"prompt\":\"x\"," + c.getKey() + "}");
            assertThat(async.statusCode()).as(c.getKey()).isEqualTo(400);
        }
        Map<String, String> a1111 = new LinkedHashMap<>();
        a1111.put("a <lora:nope:1>", "unknown LoRA 'nope'");
        a1111.put("a <lora:../../etc/passwd:1>", "never a path");
        a1111.put("a <lora:kohya-style:x>", "must be a number");
        a1111.put("a <hypernet:kohya-style:1>", "not supported");
        a1111.put("a <lora:kohya-style:1:1:4>", "not supported");
        for (var c : a1111.entrySet()) {
            HttpResponse<byte[]> r = http.post("/sdapi/v1/txt2img", "{\"prompt\":\"" + c.getKey() + "\"}");
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(new String(r.body())).as(c.getKey()).contains(c.getValue());
        }
        // a model that is no diffusers pipeline, or has no weighting set up
        HttpResponse<byte[]> fake = http.post("/v1/fake", "{\"prompt\":\"x\",\"lora\":\"peft\"}");
        assertThat(fake.statusCode()).isEqualTo(400);
        assertThat(new String(fake.body())).contains("does not take LoRA adapters");
        HttpResponse<byte[]> fakeWeighting = http.post("/v1/fake", "{\"prompt\":\"x\",\"prompt_weighting\":true}");
        assertThat(fakeWeighting.statusCode()).isEqualTo(400);
        assertThat(new String(fakeWeighting.body())).contains("prompt_weighting is not available for model 'fake'");
        assertModelUntouched();
    }

    @Test
    void loraListingHasA1111sShape() {
        HttpResponse<byte[]> r = http.get("/sdapi/v1/loras");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode arr = TestHttp.json(r);
        assertThat(arr.isArray()).isTrue();
        List<String> names = new ArrayList<>();
        arr.forEach(e -> {
            names.add(e.get("name").asText());
            assertThat(e.get("alias").asText()).isEqualTo(e.get("name").asText().equals("alien") ? "Alien Style"
                    : e.get("name").asText());
            assertThat(e.get("metadata").isObject()).isTrue();
            assertThat(e.get("path").asText()).doesNotContain(loraDir.toString()).endsWith(".safetensors");
        });
        assertThat(names).containsExactly("alien", "diffusers-style", "kohya-style", "peft");
        assertThat(arr.get(1).get("path").asText()).isEqualTo("sub/diffusers-style.safetensors");
        assertThat(arr.get(0).get("metadata").get("ss_output_name").asText()).isEqualTo("Alien Style");
        JsonNode models = TestHttp.json(http.get("/sdapi/v1/sd-models"));
        assertThat(models.get(0).get("lora").asBoolean()).isTrue();
        assertThat(models.get(0).get("prompt_weighting").asBoolean()).isTrue();
        assertThat(models.get(1).get("prompt_weighting").asBoolean()).isFalse();
        assertThat(http.post("/sdapi/v1/refresh-loras", "").statusCode()).isEqualTo(200);
        assertThat(TestHttp.json(http.get("/sdapi/v1/loras")).size()).isEqualTo(4);
    }

    static int[] decodePixels(byte[] png) {
        try {
            var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
            return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.Golden;
import dev.vega4j.lora.LoraSpec;
import dev.vega4j.lora.Loras;
import dev.vega4j.lora.VegaRt;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.Pipelines;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /v1/segmind-vega-rt}: what {@code vega serve --preset vegart} serves, here the tiny golden Vega with the
 * golden kohya LoRA fused in place of segmind/Segmind-VegaRT (the Hub is out of reach in tests). LCM, 4 steps and
 * guidance 1 by default; 4–10 steps accepted.
 */
@Timeout(120)
class VegaRtServerTest {
    static VegaServer server;
    static TestHttp http;

    @BeforeAll
    static void start() {
        DiffusionPipeline tiny = (DiffusionPipeline) Pipelines.load(Golden.root().resolve("tiny-vega").toString());
        List<LoraSpec> specs = List.of(new LoraSpec(
                Golden.root().resolve("cases/lora/lora_kohya.safetensors").toString(), 1f));
        Loras.fuse(tiny, specs, Loras.load(specs, dev.vega4j.hub.HubCache.fromEnvironment(), dev.vega4j.hub.DownloadListener.NONE), false);
        server = VegaServer.start(ServerConfig.builder().port(0).build(), Map.of(VegaRt.SLUG, tiny));
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void defaultsToFourLcmStepsWithoutGuidance() {
        HttpResponse<byte[]> r = http.post("/v1/segmind-vega-rt", "{\"prompt\":\"a bowl of fruit\",\"seed\":3,"
                + "\"img_width\":64,\"img_height\":64,\"base64\":true}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode p = TestHttp.json(r).get("parameters");
        assertThat(p.get("num_inference_steps").asInt()).isEqualTo(4);
        assertThat(p.get("guidance_scale").asDouble()).isEqualTo(1.0);
        assertThat(p.get("scheduler").asText()).isEqualTo("LCM");
        assertThat(server.engine().jobs()).allSatisfy(job -> assertThat(job.total()).isEqualTo(4));
    }

    @Test
    void stepsOutsideFourToTenAreA400NamingTheField() {
        for (int steps : new int[] {3, 11}) {
            HttpResponse<byte[]> r = http.post("/v1/segmind-vega-rt", "{\"prompt\":\"x\",\"num_inference_steps\":"
                    + steps + "}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(new String(r.body())).contains("num_inference_steps must be between 4 and 10");
        }
        HttpResponse<byte[]> async = http.post("/v2/segmind-vega-rt", "{\"prompt\":\"x\",\"num_inference_steps\":25}");
        assertThat(async.statusCode()).isEqualTo(400);
    }
}

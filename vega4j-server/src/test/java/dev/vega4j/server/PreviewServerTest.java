package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.Autoencoders;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.LatentAutoencoder;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.PipelineLoader;
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
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live previews and swapped autoencoders over HTTP with the tiny golden Vega: the SSE stream's {@code preview} events,
 * {@code /v2/requests/{id}}'s {@code preview}, A1111's {@code current_image} while a job runs, and the Segmind
 * {@code "vae"} field (an autoencoder registered as with {@code vega serve --vae NAME=...}).
 */
@Timeout(120)
class PreviewServerTest {
    static DiffusionPipeline tinyVega;
    static LatentAutoencoder taesd;
    static HeldPreviews held;
    static VegaServer server;
    static TestHttp http;

    @BeforeAll
    static void start() {
        tinyVega = PipelineLoader.load(Golden.root().resolve("tiny-vega"));
        taesd = Autoencoders.loadFolder(Golden.root().resolve("tiny-taesd"));
        held = new HeldPreviews(tinyVega, 0, 0);
        server = VegaServer.start(ServerConfig.builder().port(0).build(),
                Map.of("tiny-vega", tinyVega, "held", held),
                new RequestFeatures(null, null, Map.of("taesd", taesd)));
        http = new TestHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    static BufferedImage dataUrlImage(String dataUrl) throws Exception {
        assertThat(dataUrl).startsWith("data:image/jpeg;base64,");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
                dataUrl.substring(dataUrl.indexOf(',') + 1))));
        assertThat(img).as("a decodable JPEG").isNotNull();
        assertThat(Math.max(img.getWidth(), img.getHeight())).isBetween(1, 256);
        return img;
    }

    @Test
    void sseOfASixStepJobDeliversPreviewsAndTheSameFinalImage() throws Exception {
        held.rearm();
        held.holdStep = 1; // the first preview waits until the stream is open, so none is missed
        held.delayMillis = 100;
        String body = "{\"prompt\":\"a red fox\",\"seed\":3,\"num_inference_steps\":6,\"img_width\":64,"
                + "\"img_height\":64,\"img_format\":\"png\"}";
        String id = TestHttp.json(http.post("/v2/held", body)).get("request_id").asText();
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<java.io.InputStream> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.port() + "/v2/requests/" + id + "/events")).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> previews = new ArrayList<>();
        JsonNode done = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            String event = null;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ") && "preview".equals(event)) {
                    previews.add(TestHttp.JSON.readTree(line.substring(6)).get("image").asText());
                    held.release();
                } else if (line.startsWith("data: ") && "done".equals(event)) {
                    done = TestHttp.JSON.readTree(line.substring(6));
                } else if (line.startsWith("data: ")) {
                    if (held.held.await(0, TimeUnit.MILLISECONDS)) {
                        held.release();
                    }
                }
            }
        }
        held.release();
        assertThat(previews).hasSizeGreaterThanOrEqualTo(3);
        for (String p : previews) {
            dataUrlImage(p);
        }
        assertThat(done).isNotNull();
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.has("preview")).isFalse();
        // previews change nothing: the same PNG as the pipeline run directly without them
        GenerationResult direct = tinyVega.generate(GenerationRequest.builder("a red fox").seed(3).steps(6)
                .size(64, 64).build());
        byte[] expected = ImageFiles.png(direct.images().get(0), direct.parameters().a1111Infotext());
        assertThat(Base64.getDecoder().decode(done.get("result").get("image").asText())).isEqualTo(expected);
    }

    @Test
    void a1111ProgressAndTheStatusPollCarryThePreviewWhileTheJobRuns() throws Exception {
        held.rearm();
        held.holdStep = 2;
        held.delayMillis = 0;
        String id = TestHttp.json(http.post("/v2/held", "{\"prompt\":\"a lighthouse\",\"seed\":9,"
                + "\"num_inference_steps\":4,\"img_width\":64,\"img_height\":64}")).get("request_id").asText();
        try {
            assertThat(held.held.await(30, TimeUnit.SECONDS)).isTrue();
            JsonNode progress = TestHttp.json(http.get("/sdapi/v1/progress"));
            assertThat(progress.get("state").get("sampling_step").asInt()).isEqualTo(2);
            String current = progress.get("current_image").asText();
            assertThat(current).doesNotStartWith("data:");
            dataUrlImage("data:image/jpeg;base64," + current);
            JsonNode status = TestHttp.json(http.get("/v2/requests/" + id));
            assertThat(status.get("status").asText()).isEqualTo("PROCESSING");
            dataUrlImage(status.get("preview").asText());
        } finally {
            held.release();
        }
        JsonNode finished = null;
        for (int i = 0; i < 600 && (finished == null || !finished.get("status").asText().equals("COMPLETED")); i++) {
            Thread.sleep(50);
            finished = TestHttp.json(http.get("/v2/requests/" + id));
        }
        assertThat(finished.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(finished.has("preview")).isFalse();
        assertThat(TestHttp.json(http.get("/sdapi/v1/progress")).get("current_image").isNull()).isTrue();
    }

    @Test
    void segmindVaeFieldDecodesWithTheRegisteredAutoencoder() throws Exception {
        HttpResponse<byte[]> r = http.post("/v1/tiny-vega", "{\"prompt\":\"a watercolor lighthouse\",\"seed\":77,"
                + "\"num_inference_steps\":2,\"img_width\":64,\"img_height\":64,\"img_format\":\"png\","
                + "\"vae\":\"taesd\"}");
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        Pipeline swapped = tinyVega.withVae(taesd);
        GenerationResult direct = swapped.generate(GenerationRequest.builder("a watercolor lighthouse").seed(77)
                .steps(2).size(64, 64).build());
        assertThat(r.body()).isEqualTo(ImageFiles.png(direct.images().get(0), direct.parameters().a1111Infotext()));
        GenerationResult own = tinyVega.generate(GenerationRequest.builder("a watercolor lighthouse").seed(77)
                .steps(2).size(64, 64).build());
        assertThat(r.body()).isNotEqualTo(ImageFiles.png(own.images().get(0), own.parameters().a1111Infotext()));

        HttpResponse<byte[]> bad = http.post("/v1/tiny-vega", "{\"prompt\":\"x\",\"vae\":\"nope\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body(), StandardCharsets.UTF_8)).contains("unknown vae 'nope'", "taesd");
    }
}

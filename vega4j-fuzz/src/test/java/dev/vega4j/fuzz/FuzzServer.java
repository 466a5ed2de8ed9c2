package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.server.LoraLibrary;
import dev.vega4j.server.RequestFeatures;
import dev.vega4j.server.ServerConfig;
import dev.vega4j.server.VegaServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One loopback server per fuzzing JVM with the {@link InstantPipeline}, reached through its public entry points only
 * (the HTTP routes): request bodies go through the real parsers, {@code GenerationRequest} validation and the error
 * mapping, so a target sees exactly what a client sees. A LoRA named {@code tiny} is on offer (any file: a tag naming
 * it must be parsed, checked and refused or applied without a 5xx).
 */
final class FuzzServer {
    static final String MODEL = "segmind-vega";
    static final int MAX_SIDE = 256;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FuzzServer instance;

    final VegaServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private FuzzServer() {
        try {
            Path dir = Files.createTempDirectory("vega-fuzz-server");
            Path lora = Files.write(dir.resolve("tiny.safetensors"), Seeds.tinySafetensors());
            LoraLibrary loras = LoraLibrary.builder().add("tiny", lora).build();
            ServerConfig config = ServerConfig.builder().port(0).host("127.0.0.1").dataDir(dir.resolve("data"))
                    .maxBodyBytes(256 * 1024).maxSide(MAX_SIDE).queueCapacity(64).build();
            Pipeline p = new InstantPipeline(0);
            server = VegaServer.start(config, Map.of(MODEL, p), new RequestFeatures(loras, Map.of(MODEL, p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Lets the calling fuzz test connect to loopback only: Jazzer's SSRF detector reports any connection, and the
     * targets' own connections (to the fake hub, to this server) are expected; one elsewhere would still be found.
     */
    static void allowLoopback() {
        BugDetectors.allowNetworkConnections((host, port) -> host.equals("localhost") || host.equals("127.0.0.1"));
    }

    static synchronized FuzzServer get() {
        if (instance == null) {
            instance = new FuzzServer();
            Runtime.getRuntime().addShutdownHook(new Thread(instance.server::stop));
        }
        return instance;
    }

    static final java.util.List<String> ROUTES = java.util.List.of("/v1/" + MODEL, "/v2/" + MODEL,
            "/sdapi/v1/txt2img", "/sdapi/v1/img2img", "/v1/images/generations");

    /** Posts {@code input[1..]} to route {@code first + input[0] % count} of {@link #ROUTES}. */
    void postRoute(byte[] input, int first, int count) {
        allowLoopback();
        if (input.length == 0) {
            return;
        }
        post(ROUTES.get(first + Math.floorMod(input[0], count)), java.util.Arrays.copyOfRange(input, 1, input.length));
    }

    /** POSTs {@code body} and checks the HTTP contract; returns the status. */
    int post(String path, byte[] body) {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> resp;
        try {
            resp = client.send(r, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("the server did not answer " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        int status = resp.statusCode();
        if (status >= 500) {
            throw new AssertionError(path + " answered " + status + " to a client's body: "
                    + new String(resp.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        if (status >= 400) {
            String message = errorMessage(resp.body());
            if (message == null || message.isBlank()) {
                throw new AssertionError(path + " answered " + status + " without an error message");
            }
        } else if (status != 200) {
            throw new AssertionError(path + " answered " + status);
        }
        return status;
    }

    /** The message of an error body, whatever API shape ({@code error.message}, {@code error}, {@code detail}). */
    private static String errorMessage(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null) {
                return null;
            }
            JsonNode e = n.get("error");
            if (e != null && e.isObject()) {
                return e.path("message").asText(null);
            }
            for (String k : new String[] {"message", "detail", "error"}) {
                if (n.hasNonNull(k)) {
                    return n.get(k).isTextual() ? n.get(k).asText() : n.get(k).toString();
                }
            }
            return null;
        } catch (IOException e) {
            throw new AssertionError("an error answer that is not JSON: " + new String(body,
                    java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }
}

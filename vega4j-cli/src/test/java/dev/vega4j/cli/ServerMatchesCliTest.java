package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.server.ServerConfig;
import dev.vega4j.server.VegaServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The same parameters through {@code vega generate -o x.png} (in-process) and through {@code POST /v1/{model}} with
 * {@code img_format: png} give the same file, byte for byte, on the tiny golden Vega: pixels and the A1111
 * parameters chunk alike.
 */
@Timeout(120)
class ServerMatchesCliTest {
    @TempDir
    Path tmp;

    @Test
    void serverPngEqualsCliPngForTheSameSeed() throws Exception {
        String tiny = Golden.root().resolve("tiny-vega").toString();
        Path out = tmp.resolve("cli.png");
        GenerateCommand cmd = new GenerateCommand();
        CommandLine cl = new CommandLine(cmd);
        StringWriter log = new StringWriter();
        cl.setOut(new PrintWriter(log, true));
        cl.setErr(new PrintWriter(log, true));
        int rc = cl.execute("a red fox in the snow", "-n", "blurry", "-m", tiny, "--seed", "42", "--steps", "3",
                "--guidance", "7.5", "--scheduler", "Euler a", "--width", "64", "--height", "64", "-o",
                out.toString());
        assertThat(rc).as(log.toString()).isZero();
        byte[] cliPng = Files.readAllBytes(out);

        VegaServer server = VegaServer.start(ServerConfig.builder().port(0).build(),
                Map.of("tiny-vega", Pipelines.load(tiny)));
        try {
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/tiny-vega"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a red fox in the snow\","
                            + "\"negative_prompt\":\"blurry\",\"seed\":42,\"num_inference_steps\":3,"
                            + "\"guidance_scale\":7.5,\"scheduler\":\"Euler a\",\"img_width\":64,\"img_height\":64,"
                            + "\"img_format\":\"png\"}")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            assertThat(r.body()).isEqualTo(cliPng);
        } finally {
            server.stop();
        }
    }
}

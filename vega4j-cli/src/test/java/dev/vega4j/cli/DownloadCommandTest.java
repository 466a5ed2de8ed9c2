package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.hub.HubConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vega download} against a prepared cache (the Hub protocol itself is tested in vega4j-core's HubCacheTest). */
class DownloadCommandTest {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path tmp;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(HubConfig config, String... args) {
        DownloadCommand cmd = new DownloadCommand();
        cmd.config = config;
        cmd.terminal = false;
        CommandLine cl = new CommandLine(cmd);
        cl.setExecutionExceptionHandler(new VegaCli.ErrorHandler());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void offlinePrintsTheCachedSnapshotOrSaysWhy() throws Exception {
        Path cache = tmp.resolve("hub");
        HubConfig offline = new HubConfig(cache, null, null, true);
        assertThat(run(offline, "acme/tiny")).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("vega: error: acme/tiny@main is not in the Hugging Face cache")
                .contains("HF_HUB_OFFLINE").doesNotContain("\n");

        Path repo = cache.resolve("models--acme--tiny");
        Path snap = repo.resolve("snapshots").resolve(COMMIT);
        Files.createDirectories(snap);
        Files.writeString(snap.resolve("model_index.json"), "{}");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        assertThat(run(offline, "acme/tiny")).isZero();
        assertThat(out.toString().strip()).isEqualTo(snap.toAbsolutePath().toString());
    }

    @Test
    void unreachableHubAndBadRepoIdsAreOneLine() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HubConfig down = new HubConfig(tmp.resolve("hub"), URI.create("http://127.0.0.1:" + port), null, false);
        assertThat(run(down, "acme/tiny", "-q")).isEqualTo(1);
        assertThat(err.toString()).startsWith("vega: error: cannot reach http://127.0.0.1:" + port)
                .contains("HF_HUB_OFFLINE=1");
        err.getBuffer().setLength(0);
        assertThat(run(down, "not/a/repo id")).isEqualTo(1);
        assertThat(err.toString()).contains("repo id");
    }

    @Test
    void aLocalFolderIsNotCalledANonFolder() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("my-model"));
        Files.writeString(folder.resolve("model_index.json"), "{}");
        assertThat(run(new HubConfig(tmp.resolve("hub"), null, null, true), folder.toString())).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("vega: error: '" + folder + "' is a local path, not a Hugging Face"
                + " repo id: there is nothing to download (pass the folder to --model as it is)");
    }
}

package dev.vega4j.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.Autoencoders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HubCache#resolveModel}: a one-model repo (an autoencoder such as {@code madebyollin/taesdxl}) downloads its
 * top-level config and plain safetensors weights only, and loads as the autoencoder its config names.
 */
@org.junit.jupiter.api.Timeout(60)
class ModelRepoDownloadTest {
    @TempDir
    Path tmp;

    @Test
    void aModelRepoFetchesItsConfigAndSafetensorsOnly() throws IOException {
        Path golden = Golden.root().resolve("tiny-taesd");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", Files.readAllBytes(golden.resolve("config.json")));
        files.put("diffusion_pytorch_model.safetensors",
                Files.readAllBytes(golden.resolve("diffusion_pytorch_model.safetensors")));
        files.put("diffusion_pytorch_model.bin", new byte[] {1, 2, 3}); // a pickle: never fetched
        files.put("README.md", "# tiny".getBytes());
        files.put("extras/other.json", "{}".getBytes());
        try (FakeHub hub = new FakeHub("acme/tiny-taesd", files)) {
            HubCache cache = new HubCache(new HubConfig(tmp.resolve("hub"), hub.endpoint(), null, false));
            Path snap = cache.resolveModel("acme/tiny-taesd", DownloadListener.NONE);
            List<String> got = new ArrayList<>();
            try (Stream<Path> s = Files.walk(snap)) {
                s.filter(p -> !Files.isDirectory(p)).forEach(p -> got.add(snap.relativize(p).toString()));
            }
            assertThat(got).containsExactlyInAnyOrder("config.json", "diffusion_pytorch_model.safetensors");
            assertThat(Autoencoders.loadFolder(snap).tiny()).isTrue();
        }
    }

    @Test
    void aRepoWithoutAConfigIsAReadableError() throws IOException {
        try (FakeHub hub = new FakeHub("acme/loose-files", Map.of("weights.safetensors", new byte[] {0}))) {
            HubCache cache = new HubCache(new HubConfig(tmp.resolve("hub"), hub.endpoint(), null, false));
            assertThatThrownBy(() -> cache.resolveModel("acme/loose-files", DownloadListener.NONE))
                    .isInstanceOf(HubException.class).hasMessageContaining("no top-level config.json");
        }
    }
}

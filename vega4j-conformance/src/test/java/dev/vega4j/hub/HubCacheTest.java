package dev.vega4j.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.conformance.Golden;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads the golden tiny pipeline from a loopback fake Hub into a temporary huggingface_hub-layout cache. */
@org.junit.jupiter.api.Timeout(60)
class HubCacheTest {
    static final String REPO = "acme/tiny-vega";

    @TempDir
    Path tmp;

    FakeHub hub;
    Path cache;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub(REPO, FakeHub.tinyVegaRepo(Golden.root().resolve("tiny-vega")));
        cache = tmp.resolve("hub");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    HubCache cache(boolean offline) {
        return new HubCache(new HubConfig(cache, hub.endpoint(), null, offline));
    }

    static List<String> expectedFiles() throws IOException {
        Path golden = Golden.root().resolve("tiny-vega");
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(golden)) {
            s.filter(Files::isRegularFile).forEach(p -> out.add(golden.relativize(p).toString().replace('\\', '/')));
        }
        // the fp16 VAE replaces the plain one; everything else is plain
        out.remove("vae/diffusion_pytorch_model.safetensors");
        out.add("vae/diffusion_pytorch_model.fp16.safetensors");
        return out;
    }

    @Test
    void freshDownloadHasHuggingfaceHubLayout() throws IOException {
        RecordingListener events = new RecordingListener();
        Path snap = cache(false).resolve(REPO, events);

        Path repoDir = cache.resolve("models--acme--tiny-vega");
        assertThat(snap).isEqualTo(repoDir.resolve("snapshots").resolve(hub.commit));
        assertThat(Files.readString(repoDir.resolve("refs/main"))).isEqualTo(hub.commit);

        List<String> expected = expectedFiles();
        List<String> got = new ArrayList<>();
        try (Stream<Path> s = Files.walk(snap)) {
            s.filter(p -> !Files.isDirectory(p)).forEach(p -> got.add(snap.relativize(p).toString()));
        }
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
        for (String f : expected) {
            Path pointer = snap.resolve(f);
            assertThat(Files.isSymbolicLink(pointer)).as(f).isTrue();
            String up = "../".repeat(f.split("/").length + 1);
            assertThat(Files.readSymbolicLink(pointer).toString().replace('\\', '/')).as(f)
                    .isEqualTo(up + "blobs/" + hub.etag(f));
            assertThat(Files.readAllBytes(pointer)).as(f).isEqualTo(hub.files.get(f));
        }
        // blobs: sha256 names for LFS files, git sha1 for the others; no leftovers
        try (Stream<Path> s = Files.list(repoDir.resolve("blobs"))) {
            List<String> blobs = s.map(p -> p.getFileName().toString()).toList();
            assertThat(blobs).noneMatch(b -> b.endsWith(".incomplete"));
            assertThat(blobs).contains(hub.etag("unet/diffusion_pytorch_model.safetensors"), hub.etag("model_index.json"));
            assertThat(hub.etag("unet/diffusion_pytorch_model.safetensors")).hasSize(64);
            assertThat(hub.etag("model_index.json")).hasSize(40);
        }
        // progress: everything after model_index.json, byte for byte, each blob once (the tokenizers share theirs)
        long bytes = expected.stream().filter(f -> !f.equals("model_index.json")).map(hub::etag).distinct()
                .mapToLong(e -> hub.files.entrySet().stream().filter(f -> hub.etag(f.getKey()).equals(e))
                        .findFirst().orElseThrow().getValue().length).sum();
        assertThat(hub.etag("tokenizer/vocab.json")).isEqualTo(hub.etag("tokenizer_2/vocab.json"));
        assertThat(events.startBytes).isEqualTo(bytes);
        assertThat(events.received.get()).isEqualTo(bytes);
        assertThat(events.finished).hasSize(expected.size() - 1);
        // files a pipeline does not need were never requested
        assertThat(hub.requests).noneMatch(r -> r.path().endsWith(".bin") || r.path().endsWith(".msgpack")
                || r.path().endsWith("README.md") || r.path().endsWith("tiny-vega.safetensors")
                || r.path().endsWith("vae/diffusion_pytorch_model.safetensors"));
        // files are resolved at the commit, so a moving branch cannot mix revisions
        assertThat(hub.requests("HEAD", "/" + REPO + "/resolve/")).allMatch(r -> r.path().contains(hub.commit));
    }

    @Test
    void configsOnlyFetchesConfigsAndTokenizersButNoWeights() throws IOException {
        Path snap = cache(false).resolveConfigs(REPO, DownloadListener.NONE);
        List<String> got = new ArrayList<>();
        try (Stream<Path> s = Files.walk(snap)) {
            s.filter(p -> !Files.isDirectory(p)).forEach(p -> got.add(snap.relativize(p).toString().replace('\\', '/')));
        }
        List<String> expected = expectedFiles().stream().filter(f -> !f.endsWith(".safetensors")).toList();
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected).contains("unet/config.json", "tokenizer/vocab.json");
        assertThat(hub.requests).noneMatch(r -> r.path().endsWith(".safetensors"));
        // the single-file checkpoint's configs then load from it
        assertThat(dev.vega4j.io.checkpoint.PipelineConfigs.fromFolder(snap).has(
                dev.vega4j.io.checkpoint.PipelineConfigs.TEXT_ENCODER_2)).isTrue();
    }

    @Test
    void secondRunUsesTheCache() {
        Path first = cache(false).resolve(REPO);
        int cdnGets = hub.requests("GET", "/cdn/").size();
        int resolveGets = hub.requests("GET", "/" + REPO + "/resolve/").size();
        assertThat(cdnGets).isGreaterThan(0);
        RecordingListener events = new RecordingListener();
        Path second = cache(false).resolve(REPO, events);
        assertThat(second).isEqualTo(first);
        assertThat(hub.requests("GET", "/cdn/")).hasSize(cdnGets);
        assertThat(hub.requests("GET", "/" + REPO + "/resolve/")).hasSize(resolveGets);
        assertThat(events.startBytes).isEqualTo(-1); // nothing to download: no progress bar at all
    }

    @Test
    void blobsSharedWithAnotherCacheUserAreLinkedNotDownloaded() throws IOException {
        // Python fetched the UNet already (same blob name), but no snapshot of this commit exists
        String unet = "unet/diffusion_pytorch_model.safetensors";
        Path blob = cache.resolve("models--acme--tiny-vega/blobs").resolve(hub.etag(unet));
        Files.createDirectories(blob.getParent());
        Files.write(blob, hub.files.get(unet));
        cache(false).resolve(REPO);
        assertThat(hub.requests("GET", "/cdn/" + hub.etag(unet))).isEmpty();
    }

    @Test
    void interruptedTransferResumesWithRange() throws IOException {
        String unet = "unet/diffusion_pytorch_model.safetensors";
        hub.cutOnce.add(unet);
        RecordingListener events = new RecordingListener();
        Path snap = cache(false).resolve(REPO, events);
        assertThat(Files.readAllBytes(snap.resolve(unet))).isEqualTo(hub.files.get(unet));
        List<FakeHub.Request> gets = hub.requests("GET", "/cdn/" + hub.etag(unet));
        assertThat(gets).hasSize(2);
        assertThat(gets.get(0).range()).isNull();
        assertThat(gets.get(1).range()).matches("bytes=[1-9][0-9]*-");
        assertThat(events.notices).anyMatch(n -> n.contains("resuming"));
        assertThat(events.received.get()).isEqualTo(events.startBytes); // resumed bytes are not counted twice
    }

    @Test
    void partialFileFromAnEarlierRunIsResumed() throws IOException {
        String te = "text_encoder/model.safetensors";
        byte[] full = hub.files.get(te);
        Path part = cache.resolve("models--acme--tiny-vega/blobs").resolve(hub.etag(te) + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, java.util.Arrays.copyOf(full, 1_000_000));
        Path snap = cache(false).resolve(REPO);
        assertThat(Files.readAllBytes(snap.resolve(te))).isEqualTo(full);
        List<FakeHub.Request> gets = hub.requests("GET", "/cdn/" + hub.etag(te));
        assertThat(gets).extracting(FakeHub.Request::range).containsExactly("bytes=1000000-");
        assertThat(part).doesNotExist();
    }

    @Test
    void corruptPartialFileIsDetectedAndDeleted() throws IOException {
        String te = "text_encoder/model.safetensors";
        Path part = cache.resolve("models--acme--tiny-vega/blobs").resolve(hub.etag(te) + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, new byte[1000]); // wrong bytes: the sha256 check must catch it
        assertThatThrownBy(() -> cache(false).resolve(REPO)).isInstanceOf(HubException.class)
                .hasMessageContaining("corrupt").hasMessageContaining(te);
        assertThat(part).doesNotExist();
        Path snap = cache(false).resolve(REPO); // and the next run succeeds
        assertThat(Files.readAllBytes(snap.resolve(te))).isEqualTo(hub.files.get(te));
    }

    @Test
    void offlineUsesTheCacheWithoutNetworkAndFailsClearlyWhenUncached() {
        assertThatThrownBy(() -> cache(true).resolve(REPO)).isInstanceOf(HubException.class)
                .hasMessageContaining("HF_HUB_OFFLINE").hasMessageContaining(REPO)
                .extracting(e -> ((HubException) e).reason()).isEqualTo(HubException.Reason.NOT_CACHED);
        assertThat(hub.requests).isEmpty();

        Path online = cache(false).resolve(REPO);
        int before = hub.requests.size();
        assertThat(cache(true).resolve(REPO)).isEqualTo(online);
        assertThat(cache(true).resolve(REPO + "@" + hub.commit)).isEqualTo(online);
        assertThat(hub.requests).hasSize(before);
    }

    @Test
    void unreachableHubFallsBackToTheCacheOrSaysWhatToDo() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HubCache down = new HubCache(new HubConfig(cache, URI.create("http://127.0.0.1:" + port), null, false));
        assertThatThrownBy(() -> down.resolve(REPO)).isInstanceOf(HubException.class)
                .hasMessageContaining("cannot reach").hasMessageContaining("HF_HUB_OFFLINE")
                .hasMessageContaining("local model folder");

        HubCache noDns = new HubCache(new HubConfig(cache, URI.create("http://hub.invalid"), null, false));
        assertThatThrownBy(() -> noDns.resolve(REPO)).hasMessageContaining("cannot resolve hub.invalid");

        Path online = cache(false).resolve(REPO);
        RecordingListener events = new RecordingListener();
        assertThat(down.resolve(REPO, events)).isEqualTo(online);
        assertThat(events.notices).singleElement().asString().contains("using the cached");
    }

    @Test
    void hubErrorsBecomeOneActionableLine() {
        assertThatThrownBy(() -> cache(false).resolve("acme/nope")).isInstanceOf(HubException.class)
                .hasMessageContaining("acme/nope not found").hasMessageContaining("HF_TOKEN")
                .extracting(e -> ((HubException) e).reason()).isEqualTo(HubException.Reason.NOT_FOUND);
        assertThatThrownBy(() -> cache(false).resolve(REPO + "@v9")).isInstanceOf(HubException.class)
                .hasMessageContaining("revision 'v9' not found");

        hub.requiredToken = "hf_secret";
        assertThatThrownBy(() -> cache(false).resolve(REPO)).isInstanceOf(HubException.class)
                .hasMessageContaining("set HF_TOKEN")
                .extracting(e -> ((HubException) e).reason()).isEqualTo(HubException.Reason.AUTH);
        HubCache withToken = new HubCache(new HubConfig(cache, hub.endpoint(), "hf_secret", false));
        assertThat(withToken.resolve(REPO)).isDirectory();
        assertThat(hub.requests("GET", "/api/")).last().extracting(FakeHub.Request::authorization)
                .isEqualTo("Bearer hf_secret");
    }

    @Test
    void variantsAreAllOrNothingPerComponent() {
        HubCache c = cache(false);
        Path plain = c.snapshot(new RepoId(REPO), "main", null, false, DownloadListener.NONE);
        assertThat(plain.resolve("vae/diffusion_pytorch_model.safetensors")).exists();
        assertThat(plain.resolve("vae/diffusion_pytorch_model.fp16.safetensors")).doesNotExist();

        Path all = c.snapshot(new RepoId(REPO), "main", null, true, DownloadListener.NONE);
        assertThat(all.resolve("README.md")).hasContent("# tiny vega");
        assertThat(all.resolve("unet/diffusion_pytorch_model.bin")).exists();
    }

    @Test
    void localPathsAreUsedAsIs() throws IOException {
        Path golden = Golden.root().resolve("tiny-vega");
        assertThat(cache(true).resolve(golden.toString())).isEqualTo(golden);
        Path single = Files.write(tmp.resolve("model.safetensors"), new byte[8]);
        assertThat(cache(true).resolve(single.toString())).isEqualTo(single);
        assertThatThrownBy(() -> cache(true).resolve("./missing/model.safetensors")).isInstanceOf(HubException.class)
                .hasMessage("model path not found: ./missing/model.safetensors");
        Path ckpt = Files.write(tmp.resolve("model.ckpt"), new byte[8]);
        assertThatThrownBy(() -> cache(true).resolve(ckpt.toString())).hasMessageContaining("pickled");
        assertThatThrownBy(() -> cache(true).resolve("not a repo!")).hasMessageContaining("repo id");
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void configFollowsHuggingfaceHubEnvironment() throws IOException {
        Path home = tmp.resolve("home");
        HubConfig d = HubConfig.fromEnvironment(Map.of(), home);
        assertThat(d.cacheDir()).isEqualTo(home.resolve(".cache/huggingface/hub"));
        assertThat(d.endpoint()).hasToString("https://huggingface.co");
        assertThat(d.token()).isNull();
        assertThat(d.offline()).isFalse();

        assertThat(HubConfig.fromEnvironment(Map.of("HF_HOME", "/x/hf"), home).cacheDir()).isEqualTo(Path.of("/x/hf/hub"));
        assertThat(HubConfig.fromEnvironment(Map.of("HF_HOME", "/x/hf", "HF_HUB_CACHE", "/y"), home).cacheDir())
                .isEqualTo(Path.of("/y"));
        assertThat(HubConfig.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), home).cacheDir())
                .isEqualTo(Path.of("/xdg/huggingface/hub"));
        HubConfig e = HubConfig.fromEnvironment(Map.of("HF_ENDPOINT", "http://mirror.local/", "HF_TOKEN", "hf_a",
                "HF_HUB_OFFLINE", "1"), home);
        assertThat(e.endpoint()).hasToString("http://mirror.local");
        assertThat(e.token()).isEqualTo("hf_a");
        assertThat(e.offline()).isTrue();
        assertThat(e.toString()).doesNotContain("hf_a");

        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_from_login\n");
        assertThat(HubConfig.fromEnvironment(Map.of(), home).token()).isEqualTo("hf_from_login");
    }

    @Test
    void pipelineFileSelection() {
        List<String> repo = List.of("model_index.json", "README.md", "unet/config.json",
                "unet/diffusion_pytorch_model.safetensors.index.json",
                "unet/diffusion_pytorch_model-00001-of-00002.safetensors",
                "unet/diffusion_pytorch_model-00002-of-00002.safetensors",
                "unet/diffusion_pytorch_model.safetensors.index.fp16.json",
                "unet/diffusion_pytorch_model.fp16-00001-of-00002.safetensors",
                "unet/diffusion_pytorch_model.fp16-00002-of-00002.safetensors",
                "unet/diffusion_pytorch_model.bin", "unet/diffusion_pytorch_model.fp16.bin",
                "tokenizer/vocab.json", "tokenizer/merges.txt", "vae/diffusion_pytorch_model.safetensors",
                "vae/diffusion_pytorch_model.onnx", "safety_checker/model.safetensors", "vae_1_0/x.safetensors");
        var components = java.util.Set.of("unet", "tokenizer", "vae");
        assertThat(PipelineFiles.select(repo, components, "fp16")).containsExactly("model_index.json",
                "unet/config.json", "unet/diffusion_pytorch_model.safetensors.index.fp16.json",
                "unet/diffusion_pytorch_model.fp16-00001-of-00002.safetensors",
                "unet/diffusion_pytorch_model.fp16-00002-of-00002.safetensors",
                "tokenizer/vocab.json", "tokenizer/merges.txt", "vae/diffusion_pytorch_model.safetensors");
        assertThat(PipelineFiles.select(repo, components, null)).containsExactly("model_index.json",
                "unet/config.json", "unet/diffusion_pytorch_model.safetensors.index.json",
                "unet/diffusion_pytorch_model-00001-of-00002.safetensors",
                "unet/diffusion_pytorch_model-00002-of-00002.safetensors",
                "tokenizer/vocab.json", "tokenizer/merges.txt", "vae/diffusion_pytorch_model.safetensors");
        assertThat(PipelineFiles.components(("{\"_class_name\":\"X\",\"unet\":[\"diffusers\",\"U\"],"
                + "\"feature_extractor\":[null,null],\"force_zeros_for_empty_prompt\":true}").getBytes())).containsExactly("unet");
    }

    static final class RecordingListener implements DownloadListener {
        long startBytes = -1;
        final AtomicLong received = new AtomicLong();
        final List<String> finished = new ArrayList<>();
        final List<String> notices = new ArrayList<>();

        @Override
        public void start(String repo, int files, long bytes) {
            startBytes = bytes;
        }

        @Override
        public void bytes(long delta) {
            received.addAndGet(delta);
        }

        @Override
        public void fileFinished(String file) {
            finished.add(file);
        }

        @Override
        public void notice(String message) {
            notices.add(message);
        }
    }
}

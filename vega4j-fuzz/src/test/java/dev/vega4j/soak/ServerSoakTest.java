package dev.vega4j.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.server.ServerConfig;
import dev.vega4j.server.VegaServer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives a loopback server for {@code -Dsoak.duration} (ISO-8601, default 10 minutes) from several clients with mixed
 * valid and invalid requests, synchronous and queued generations, A1111 interrupts, and clients that disconnect in
 * the middle of a generation or an event stream. Samples heap (after a full GC), RSS, threads and file descriptors
 * every few seconds and asserts, after a warm-up of a fifth of the run: no growth trend in heap or RSS, no thread or
 * descriptor leak, every queued job final, and {@code /metrics} consistent with what the clients saw.
 *
 * <p>Opt-in (tag {@code soak}, excluded by default): {@code ./mvnw -B -ntp verify -pl vega4j-fuzz -am -Psoak
 * -Dsoak.duration=PT10M}.
 */
@Tag("soak")
class ServerSoakTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 6;
    private static final String MODEL = "segmind-vega";
    private static final Pattern METRIC = Pattern.compile("(?m)^(vega_[a-z_]+)(\\{[^}]*\\})? (\\S+)$");

    /** A pipeline that takes a few milliseconds per step, so cancels and disconnects land in running jobs. */
    private static final class SlowPipeline implements Pipeline {
        @Override
        public ModelInfo info() {
            return new ModelInfo("soak", Family.SDXL, 64, 64, "Euler");
        }

        @Override
        public GenerationResult generate(GenerationRequest r, ProgressListener progress, Cancellation c) {
            long t0 = System.nanoTime();
            for (int step = 1; step <= r.steps(); step++) {
                c.check();
                try {
                    Thread.sleep(3);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                progress.onProgress(new ProgressListener.ProgressEvent(ProgressListener.Phase.DENOISE, step,
                        r.steps(), System.nanoTime() - t0));
            }
            int w = r.width() != null ? r.width() : 64;
            int h = r.height() != null ? r.height() : 64;
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < r.samples(); i++) {
                images.add(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB));
            }
            var used = new GenerationResult.UsedParameters(r.prompt(), r.negativePrompt(), r.steps(),
                    r.guidanceScale(), r.seed() == -1 ? 1 : r.seed(), "Euler", w, h, r.samples(), "soak", null);
            return new GenerationResult(images, used, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** What the clients saw, by status code, and what they did. */
    private final ConcurrentMap<Integer, AtomicLong> seen = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> actions = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> queuedIds = new CopyOnWriteArrayList<>();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong imagesReceived = new AtomicLong();

    record Sample(double seconds, long heapBytes, long rssBytes, int threads, int fds) {}

    @Test
    void serverStaysFlat(@TempDir Path dir) throws Exception {
        Duration duration = Duration.parse(System.getProperty("soak.duration", "PT10M"));
        ServerConfig config = ServerConfig.builder().port(0).host("127.0.0.1").dataDir(dir).queueCapacity(16)
                .maxSide(256).resultTtl(Duration.ofSeconds(20)).build();
        VegaServer server = VegaServer.start(config, Map.of(MODEL, new SlowPipeline()));
        String base = "http://127.0.0.1:" + server.port();
        long end = System.nanoTime() + duration.toNanos();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            long seed = i;
            clients.add(Thread.ofPlatform().name("soak-client-" + i).start(() -> client(base, server.port(), seed, end)));
        }
        List<Sample> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        long interval = Math.max(1000, duration.toMillis() / 120);
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(interval, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            samples.add(sample(t0));
        }
        for (Thread t : clients) {
            t.join(Duration.ofSeconds(120));
            assertThat(t.isAlive()).as("client " + t.getName() + " finished").isFalse();
        }
        // every job that was queued reaches a final state (the clients polled theirs; check them all once more)
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Thread.sleep(2000);
        Map<String, Long> metrics = metrics(http, base);
        assertThat(metrics.getOrDefault("vega_jobs{state=\"QUEUED\"}", 0L)).as("queued jobs at the end").isZero();
        assertThat(metrics.getOrDefault("vega_jobs{state=\"PROCESSING\"}", 0L)).as("running jobs at the end")
                .isZero();
        Sample last = sample(t0);
        server.stop();

        report(samples, last, metrics, duration);
        assertThat(violations).as("unexpected answers").isEmpty();
        assertThat(queuedIds).as("queued jobs").isNotEmpty();

        // flat after warm-up: compare the first and last thirds of the post-warm-up samples
        List<Sample> steady = samples.subList(samples.size() / 5, samples.size());
        assertThat(steady.size()).as("samples after warm-up").isGreaterThanOrEqualTo(6);
        int third = steady.size() / 3;
        List<Sample> first = steady.subList(0, third);
        List<Sample> lastThird = steady.subList(steady.size() - third, steady.size());
        long heapFirst = median(first.stream().mapToLong(Sample::heapBytes).toArray());
        long heapLast = median(lastThird.stream().mapToLong(Sample::heapBytes).toArray());
        assertThat(heapLast).as("heap after GC, last third vs first third after warm-up")
                .isLessThanOrEqualTo(heapFirst + Math.max(16L << 20, heapFirst / 10));
        long rssFirst = median(first.stream().mapToLong(Sample::rssBytes).toArray());
        long rssLast = median(lastThird.stream().mapToLong(Sample::rssBytes).toArray());
        assertThat(rssLast).as("RSS, last third vs first third after warm-up")
                .isLessThanOrEqualTo(rssFirst + Math.max(64L << 20, rssFirst / 10));
        int threadsMax = first.stream().mapToInt(Sample::threads).max().orElseThrow();
        assertThat(lastThird.stream().mapToInt(Sample::threads).max().orElseThrow()).as("threads")
                .isLessThanOrEqualTo(threadsMax + 8);
        int fdsMax = first.stream().mapToInt(Sample::fds).max().orElseThrow();
        assertThat(lastThird.stream().mapToInt(Sample::fds).max().orElseThrow()).as("file descriptors")
                .isLessThanOrEqualTo(fdsMax + 16);

        // /metrics against the clients: each status the clients saw was counted; the only responses the clients did
        // not see are those of the requests they walked away from
        long extra = 0;
        for (Map.Entry<Integer, AtomicLong> e : seen.entrySet()) {
            long counted = metrics.getOrDefault("vega_http_responses_total{code=\"" + e.getKey() + "\"}", 0L);
            assertThat(counted).as("responses with status " + e.getKey()).isGreaterThanOrEqualTo(e.getValue().get());
        }
        long countedAll = metrics.entrySet().stream().filter(e -> e.getKey().startsWith("vega_http_responses_total"))
                .mapToLong(Map.Entry::getValue).sum();
        long seenAll = seen.values().stream().mapToLong(AtomicLong::get).sum();
        extra = countedAll - seenAll;
        assertThat(extra).as("responses counted that no client saw (disconnects: " + disconnects + ")")
                .isBetween(0L, disconnects.get());
        assertThat(metrics.getOrDefault("vega_images_generated_total", 0L)).as("images generated")
                .isGreaterThanOrEqualTo(imagesReceived.get());
    }

    private void client(String base, int port, long seed, long end) {
        Random rnd = new Random(seed);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < end) {
            int a = rnd.nextInt(100);
            try {
                if (a < 30) {
                    act("sync");
                    HttpResponse<byte[]> r = post(http, base + "/v1/" + MODEL, validSegmind(rnd));
                    expect(r, "sync", 200, 429, 503);
                    if (r.statusCode() == 200) {
                        imagesReceived.incrementAndGet();
                    }
                } else if (a < 50) {
                    act("queued");
                    queued(http, base, rnd);
                } else if (a < 70) {
                    act("invalid");
                    String[] bad = INVALID[rnd.nextInt(INVALID.length)];
                    HttpResponse<byte[]> r = post(http, base + bad[0], bad[1]);
                    expect(r, "invalid " + bad[0] + " " + bad[1], 400);
                } else if (a < 78) {
                    act("a1111");
                    HttpResponse<byte[]> r = post(http, base + "/sdapi/v1/txt2img", "{\"prompt\":\"soak "
                            + rnd.nextInt(1000) + "\",\"steps\":" + (1 + rnd.nextInt(8)) + ",\"width\":64,\"height\":64}");
                    expect(r, "a1111", 200, 429, 503);
                    if (r.statusCode() == 200) {
                        imagesReceived.addAndGet(JSON.readTree(r.body()).path("images").size());
                    }
                } else if (a < 83) {
                    act("interrupt");
                    expect(post(http, base + "/sdapi/v1/interrupt", ""), "interrupt", 200);
                } else if (a < 93) {
                    act("disconnect");
                    disconnect(port, rnd);
                } else if (a < 97) {
                    act("metrics");
                    expect(get(http, base + "/metrics"), "metrics", 200);
                } else {
                    act("health");
                    expect(get(http, base + "/health"), "health", 200);
                }
            } catch (IOException e) {
                violations.add("client " + seed + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Bodies every API refuses (400), and ones only a given route refuses: {route, body}. */
    private static final String[][] INVALID = {
            {"/v1/" + MODEL, "{"}, {"/v2/" + MODEL, "[]"}, {"/sdapi/v1/txt2img", "{\"prompt\":5}"},
            {"/v1/images/generations", "{}"}, {"/v1/" + MODEL, "{\"prompt\":\"\"}"},
            {"/v1/" + MODEL, "{\"prompt\":\"x\",\"num_inference_steps\":0}"},
            {"/v2/" + MODEL, "{\"prompt\":\"x\",\"img_width\":65}"},
            {"/v1/" + MODEL, "{\"prompt\":\"x\",\"scheduler\":\"Bogus\"}"},
            {"/v1/" + MODEL, "{\"prompt\":\"x\",\"seed\":-2}"},
            {"/v1/" + MODEL, "{\"prompt\":\"x\",\"init_image\":\"not base64!\"}"},
            {"/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"steps\":0}"},
            {"/sdapi/v1/img2img", "{\"prompt\":\"x\",\"init_images\":[\"%%%\"]}"},
            {"/v1/images/generations", "{\"prompt\":\"x\",\"n\":99}"},
            {"/v1/images/generations", "{\"prompt\":\"x\",\"size\":\"1x1\"}"},
            {"/v1/" + MODEL, "\u0000\u0001"}};

    private static String validSegmind(Random rnd) {
        return "{\"prompt\":\"soak " + rnd.nextInt(1000) + "\",\"num_inference_steps\":" + (1 + rnd.nextInt(10))
                + ",\"img_width\":64,\"img_height\":64,\"seed\":" + rnd.nextInt(1000) + ",\"samples\":"
                + (1 + rnd.nextInt(2)) + ",\"base64\":true}";
    }

    /** Queues a job on /v2, sometimes watches (and leaves) its event stream, polls it until it is final. */
    private void queued(HttpClient http, String base, Random rnd) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = post(http, base + "/v2/" + MODEL, validSegmind(rnd));
        expect(r, "queue", 200, 429);
        if (r.statusCode() != 200) {
            return;
        }
        String id = JSON.readTree(r.body()).path("request_id").asText();
        queuedIds.add(id);
        if (rnd.nextInt(3) == 0) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v2/requests/" + id + "/events"))
                    .timeout(Duration.ofSeconds(30)).build();
            HttpResponse<InputStream> sse = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            count(sse.statusCode());
            try (InputStream in = sse.body()) {
                in.readNBytes(rnd.nextInt(400)); // then walk away from the stream
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<byte[]> s = get(http, base + "/v2/requests/" + id);
            expect(s, "poll", 200);
            if (s.statusCode() != 200) {
                return;
            }
            JsonNode n = JSON.readTree(s.body());
            String state = n.path("status").asText();
            if (state.equals("COMPLETED")) {
                imagesReceived.addAndGet(n.path("result").path("images").size());
                return;
            }
            if (state.equals("FAILED")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                violations.add("job " + id + " not final after 60 s: " + state);
                return;
            }
            Thread.sleep(20);
        }
    }

    /** Sends a slow synchronous request on a raw socket and closes it before the answer. */
    private void disconnect(int port, Random rnd) throws IOException {
        disconnects.incrementAndGet();
        String body = "{\"prompt\":\"gone\",\"num_inference_steps\":40,\"img_width\":64,\"img_height\":64}";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/" + MODEL + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(rnd.nextInt(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void act(String what) {
        actions.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private void count(int status) {
        seen.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
    }

    private void expect(HttpResponse<byte[]> r, String what, int... ok) {
        for (int s : ok) {
            if (r.statusCode() == s) {
                return;
            }
        }
        String body = new String(r.body(), StandardCharsets.UTF_8);
        violations.add(what + ": status " + r.statusCode() + " " + body.substring(0, Math.min(200, body.length())));
    }

    private HttpResponse<byte[]> post(HttpClient http, String url, String body) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        count(r.statusCode());
        return r;
    }

    private HttpResponse<byte[]> get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        count(r.statusCode());
        return r;
    }

    private Map<String, Long> metrics(HttpClient http, String base) throws IOException, InterruptedException {
        String text = new String(get(http, base + "/metrics").body(), StandardCharsets.UTF_8);
        Map<String, Long> out = new TreeMap<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), (long) Double.parseDouble(m.group(3)));
        }
        return out;
    }

    private static Sample sample(long t0) throws IOException {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        int fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = (int) s.count();
        }
        return new Sample((System.nanoTime() - t0) / 1e9, heap, rss, Thread.activeCount() > 0
                ? ManagementFactory.getThreadMXBean().getThreadCount() : 0, fds);
    }

    private static long median(long[] v) {
        long[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    /** Least-squares slope of y over the samples' seconds, per minute. */
    private static double slopePerMinute(List<Sample> s, java.util.function.ToDoubleFunction<Sample> y) {
        double n = s.size(), sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (Sample p : s) {
            double x = p.seconds(), v = y.applyAsDouble(p);
            sx += x;
            sy += v;
            sxx += x * x;
            sxy += x * v;
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx) * 60;
    }

    private void report(List<Sample> samples, Sample last, Map<String, Long> metrics, Duration duration) {
        List<Sample> steady = samples.subList(samples.size() / 5, samples.size());
        double mb = 1 << 20;
        System.out.printf("SOAK %s, %d clients, %d samples; actions %s; statuses %s; disconnects %d; queued jobs %d;"
                        + " images received %d%n", duration, CLIENTS, samples.size(), new TreeMap<>(actions),
                new TreeMap<>(seen), disconnects.get(), queuedIds.size(), imagesReceived.get());
        System.out.printf("SOAK heap after GC: first %.1f MB, after warm-up %.1f MB, last %.1f MB, slope %.2f MB/min%n",
                samples.getFirst().heapBytes() / mb, steady.getFirst().heapBytes() / mb, last.heapBytes() / mb,
                slopePerMinute(steady, p -> p.heapBytes() / mb));
        System.out.printf("SOAK RSS: first %.1f MB, after warm-up %.1f MB, last %.1f MB, slope %.2f MB/min%n",
                samples.getFirst().rssBytes() / mb, steady.getFirst().rssBytes() / mb, last.rssBytes() / mb,
                slopePerMinute(steady, p -> p.rssBytes() / mb));
        System.out.printf("SOAK threads: after warm-up %d, max %d, last %d; fds: after warm-up %d, max %d, last %d%n",
                steady.getFirst().threads(), steady.stream().mapToInt(Sample::threads).max().orElse(0), last.threads(),
                steady.getFirst().fds(), steady.stream().mapToInt(Sample::fds).max().orElse(0), last.fds());
        System.out.println("SOAK metrics " + metrics.entrySet().stream()
                .filter(e -> !e.getKey().contains("bucket")).toList());
        if (!violations.isEmpty()) {
            System.out.println("SOAK violations (first 20): " + violations.subList(0, Math.min(20, violations.size())));
        }
    }
}

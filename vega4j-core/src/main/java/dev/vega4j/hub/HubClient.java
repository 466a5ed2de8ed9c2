package dev.vega4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The three Hub calls a download needs, spoken exactly as huggingface_hub 0.20 speaks them: the revision API, a
 * {@code HEAD} on {@code resolve/} for each file's metadata (taken from the first response that is not a relative
 * redirect, because the 302 to the CDN is what carries {@code X-Linked-Etag}), and a resumable {@code GET}.
 * Redirects are followed by hand so that the token never leaves the Hub's own host (the CDN gets signed URLs).
 */
public final class HubClient {
    private static final int MAX_REDIRECTS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vega-hub-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final HubConfig config;
    private final HttpClient http;

    public HubClient(HubConfig config) {
        this.config = Objects.requireNonNull(config);
        // HTTP/1.1: one plain stream per file; HTTP/2 flow control buys nothing for a few large sequential downloads.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public HubConfig config() {
        return config;
    }

    /** {@code GET /api/models/{repo}/revision/{rev}}: the commit and the file list. */
    public RepoInfo revisionInfo(RepoId repo, String revision) {
        URI uri = URI.create(config.endpoint() + "/api/models/" + repo.id() + "/revision/" + encode(revision));
        HttpResponse<byte[]> r = send(uri, "GET", null, repo, revision, null, HttpResponse.BodyHandlers.ofByteArray());
        try {
            JsonNode root = JSON.readTree(r.body());
            String sha = root.path("sha").asText(null);
            List<String> files = new ArrayList<>();
            for (JsonNode s : root.path("siblings")) {
                String f = s.path("rfilename").asText(null);
                if (f != null) {
                    files.add(f);
                }
            }
            if (sha == null || sha.isBlank()) {
                throw new HubException(HubException.Reason.SERVER,
                        config.endpoint() + " returned no commit for " + repo + "@" + revision
                                + ": is HF_ENDPOINT a Hugging Face Hub?");
            }
            return new RepoInfo(sha, files);
        } catch (IOException e) {
            throw new HubException(HubException.Reason.SERVER, config.endpoint() + " returned invalid JSON for "
                    + repo + "@" + revision + ": is HF_ENDPOINT a Hugging Face Hub?", e);
        }
    }

    /** {@code HEAD /{repo}/resolve/{rev}/{file}} (huggingface_hub {@code get_hf_file_metadata}). */
    public FileMetadata fileMetadata(RepoId repo, String revision, String file) {
        URI uri = resolveUri(repo, revision, file);
        HttpResponse<Void> r = send(uri, "HEAD", null, repo, revision, file, HttpResponse.BodyHandlers.discarding());
        var h = r.headers();
        String etag = normalizeEtag(h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElse(null));
        String commit = h.firstValue("X-Repo-Commit").orElse(null);
        if (etag == null || commit == null) {
            throw new HubException(HubException.Reason.SERVER, "the server did not return an ETag and a commit for "
                    + repo + "/" + file + ": is HF_ENDPOINT (" + config.endpoint() + ") a Hugging Face Hub?");
        }
        long size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length"))
                .map(HubClient::parseLong).orElse(-1L);
        URI location = h.firstValue("Location").map(l -> redirect(r.uri(), l)).orElse(r.uri());
        return new FileMetadata(etag, commit, size, location);
    }

    /**
     * Downloads {@code location} into {@code partial}, continuing after the bytes already there with a
     * {@code Range} request; {@code onBytes} hears about every chunk written (after the resumed offset).
     * An {@link IOException} means the transfer broke: what arrived is kept, and calling again resumes.
     */
    public void download(URI location, Path partial, LongConsumer onBytes) throws IOException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        String range = have > 0 ? "bytes=" + have + "-" : null;
        HttpResponse<InputStream> r;
        try {
            r = send(location, "GET", range, null, null, null, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HubException e) {
            if (range != null && e.getCause() instanceof RangeNotSatisfiable) {
                // our partial file is at least as long as the blob: start over, the checksum decides afterwards
                Files.delete(partial);
                download(location, partial, onBytes);
                return;
            }
            throw e;
        }
        boolean append = range != null && r.statusCode() == 206;
        if (range != null && !append) {
            onBytes.accept(-have); // the server ignored the range: these bytes come again
        }
        InputStream in = r.body();
        // HttpClient has no read timeout for bodies: a watchdog closes a stream that stalls, which wakes the read
        // (it then sees the end of the stream) so that the caller resumes on a fresh connection.
        AtomicLong lastData = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastData.get() > STALL_TIMEOUT.toNanos() && !stalled.getAndSet(true)) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // already broken; the reader finds out
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        try (in; OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                lastData.set(System.nanoTime());
                out.write(buf, 0, n);
                onBytes.accept(n);
            }
        } finally {
            watchdog.cancel(false);
        }
        if (stalled.get()) {
            throw new IOException("no data for " + STALL_TIMEOUT.toSeconds() + " s");
        }
    }

    URI resolveUri(RepoId repo, String revision, String file) {
        StringBuilder path = new StringBuilder();
        for (String seg : file.split("/")) {
            path.append('/').append(encode(seg));
        }
        return URI.create(config.endpoint() + "/" + repo.id() + "/resolve/" + encode(revision) + path);
    }

    /** Sends with manual redirects; HTTP errors become {@link HubException}s with a hint; returns a 2xx or absolute 3xx. */
    private <T> HttpResponse<T> send(URI uri, String method, String range, RepoId repo, String revision, String file,
            HttpResponse.BodyHandler<T> body) {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", "vega4j; java/" + Runtime.version().feature());
            if (method.equals("HEAD")) {
                b.header("Accept-Encoding", "identity").timeout(Duration.ofSeconds(30));
            } else if (range == null && !method.equals("GET")) {
                b.timeout(Duration.ofSeconds(60));
            }
            if (range != null) {
                b.header("Range", range);
            }
            if (config.token() != null && sameHost(current, config.endpoint())) {
                b.header("Authorization", "Bearer " + config.token());
            }
            HttpResponse<T> r;
            try {
                r = http.send(b.build(), body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(HubException.Reason.NETWORK, "download interrupted", e);
            } catch (IOException | UnresolvedAddressException e) {
                throw networkError(current, e);
            }
            int s = r.statusCode();
            if (s >= 300 && s < 400) {
                String loc = r.headers().firstValue("Location").orElse(null);
                if (loc == null) {
                    return r;
                }
                URI target = redirect(current, loc);
                // HEAD: only relative redirects (renamed repos) are followed; an absolute one is the CDN and its
                // response carries the metadata. GET: follow everything.
                if (method.equals("HEAD") && URI.create(loc.strip()).isAbsolute()) {
                    return r;
                }
                discard(r);
                current = target;
                continue;
            }
            if (s >= 200 && s < 300) {
                return r;
            }
            String errorCode = r.headers().firstValue("X-Error-Code").orElse("");
            String errorMessage = r.headers().firstValue("X-Error-Message").orElse("");
            discard(r);
            if (s == 416) {
                throw new HubException(HubException.Reason.SERVER, "range not satisfiable", new RangeNotSatisfiable());
            }
            throw httpError(s, errorCode, errorMessage, repo, revision, file, current);
        }
        throw new HubException(HubException.Reason.SERVER, "too many redirects from " + uri);
    }

    /**
     * A {@code Location} header resolved against the request's URI. It comes from the server (or whatever answers in
     * its place), so a value that is no URI, or leads anywhere but HTTP(S), is the server's fault, not a crash.
     */
    private URI redirect(URI from, String location) {
        URI target;
        try {
            target = from.resolve(new URI(location.strip()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new HubException(HubException.Reason.SERVER, from.getHost() + " redirected to an invalid location '"
                    + abbreviate(location) + "': is HF_ENDPOINT (" + config.endpoint() + ") a Hugging Face Hub?");
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || target.getHost() == null) {
            throw new HubException(HubException.Reason.SERVER, from.getHost() + " redirected to '"
                    + abbreviate(location) + "', which is no HTTP(S) address");
        }
        return target;
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    /** One line a user can act on; the codes follow huggingface_hub {@code utils/_errors.py hf_raise_for_status}. */
    private HubException httpError(int status, String code, String serverMessage, RepoId repo, String revision,
            String file, URI uri) {
        String what = repo == null ? uri.toString() : repo.id();
        boolean tokenSet = config.token() != null;
        if (code.equals("RepoNotFound") || (repo != null && status == 401 && file == null && code.isEmpty())) {
            return new HubException(HubException.Reason.NOT_FOUND, "repository " + what + " not found on "
                    + config.endpoint() + (tokenSet ? " (or your HF_TOKEN has no access to it)"
                            : " (if it is private or gated, set HF_TOKEN to an access token)"));
        }
        if (code.equals("GatedRepo") || status == 401 || status == 403) {
            return new HubException(HubException.Reason.AUTH, what + " needs authorisation (HTTP " + status + "): "
                    + (tokenSet ? "your HF_TOKEN has no access; accept the model's terms on its Hub page"
                            : "set HF_TOKEN to a Hugging Face access token (and accept the model's terms on its page)")
                    + detail(serverMessage));
        }
        if (code.equals("RevisionNotFound")) {
            return new HubException(HubException.Reason.NOT_FOUND,
                    "revision '" + revision + "' not found in " + what + detail(serverMessage));
        }
        if (status == 404) {
            if (file != null) {
                return new HubException(HubException.Reason.NOT_FOUND,
                        "file " + file + " not found in " + what + "@" + revision);
            }
            return new HubException(HubException.Reason.NOT_FOUND, (repo == null ? "" : "repository ") + what
                    + " not found on " + config.endpoint() + " (HTTP 404)");
        }
        return new HubException(HubException.Reason.SERVER, config.endpoint().getHost() + " answered HTTP " + status
                + " for " + what + (file == null ? "" : "/" + file) + detail(serverMessage)
                + (status >= 500 ? "; try again later" : ""));
    }

    private HubException networkError(URI uri, Exception e) {
        // the JDK wraps a failed DNS lookup (UnresolvedAddressException) in a ConnectException: look down the chain
        boolean unresolved = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            unresolved |= t instanceof UnknownHostException || t instanceof UnresolvedAddressException;
        }
        String why = unresolved ? "cannot resolve " + uri.getHost() + ": no network or DNS"
                : e instanceof HttpConnectTimeoutException ? "connection timed out"
                : e instanceof HttpTimeoutException ? "no answer in time"
                : e instanceof ConnectException ? "connection refused"
                : e instanceof InterruptedIOException ? "interrupted"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new HubException(HubException.Reason.NETWORK, "cannot reach " + uri.getScheme() + "://"
                + uri.getAuthority() + " (" + why + "); set HF_HUB_OFFLINE=1 to use the local Hugging Face cache, "
                + "or pass a local model folder or .safetensors file", e);
    }

    private static String detail(String serverMessage) {
        return serverMessage.isBlank() ? "" : " [" + serverMessage.strip() + "]";
    }

    private static void discard(HttpResponse<?> r) {
        if (r.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing a response we do not need; nothing to do
            }
        }
    }

    private static boolean sameHost(URI a, URI b) {
        return Objects.equals(lower(a.getHost()), lower(b.getHost())) && a.getPort() == b.getPort();
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    /** huggingface_hub {@code _normalize_etag}: drop a weak {@code W/} prefix and the quotes. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        e = e.replace("\"", "");
        return e.isEmpty() ? null : e;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Marker cause: the server answered 416 to a resume request. */
    private static final class RangeNotSatisfiable extends Exception {
        RangeNotSatisfiable() {
            super("HTTP 416", null, false, false);
        }
    }
}

package dev.vega4j.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A loopback stand-in for huggingface.co speaking the endpoints huggingface_hub uses: the revision API, {@code resolve/}
 * with a 302 to a CDN path for LFS files ({@code *.safetensors}, {@code *.bin}, {@code *.msgpack}) carrying
 * {@code X-Linked-Etag}/{@code X-Linked-Size}, plain 200s with the git-sha1 {@code ETag} for the rest, Range requests on
 * the CDN, and the Hub's error headers. It can cut one file's transfer once, mid-way, to test resuming.
 */
final class FakeHub implements AutoCloseable {
    record Request(String method, String path, String range, String authorization) {}

    final String repo;
    final String commit;
    final Map<String, byte[]> files;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final Set<String> cutOnce = Collections.synchronizedSet(new HashSet<>());
    volatile String requiredToken;
    private final HttpServer server;

    FakeHub(String repo, Map<String, byte[]> files) throws IOException {
        this.repo = repo;
        this.files = files;
        this.commit = hex("SHA-1", ("commit of " + repo).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The golden tiny pipeline plus files a pipeline must not fetch, and an fp16 variant of the VAE. */
    static Map<String, byte[]> tinyVegaRepo(Path golden) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n".getBytes());
        files.put("README.md", "# tiny vega\n".getBytes());
        try (Stream<Path> s = Files.walk(golden)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                files.put(golden.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        byte[] fp16 = new byte[100_000];
        new java.util.Random(1).nextBytes(fp16);
        files.put("vae/diffusion_pytorch_model.fp16.safetensors", fp16);
        files.put("unet/diffusion_pytorch_model.bin", "pickle".getBytes());
        files.put("text_encoder/flax_model.msgpack", "msgpack".getBytes());
        files.put("tiny-vega.safetensors", "single file".getBytes());
        return files;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    static boolean isLfs(String file) {
        return file.endsWith(".safetensors") || file.endsWith(".bin") || file.endsWith(".msgpack");
    }

    /** The ETag huggingface_hub names the blob after. */
    String etag(String file) {
        byte[] b = files.get(file);
        if (isLfs(file)) {
            return hex("SHA-256", b);
        }
        byte[] header = ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + b.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(b, 0, all, header.length, b.length);
        return hex("SHA-1", all);
    }

    List<Request> requests(String method, String pathPrefix) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.method().equals(method) && r.path().startsWith(pathPrefix)) {
                out.add(r);
            }
        }
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"), auth));
        boolean cut = false;
        try {
            String apiPrefix = "/api/models/";
            String resolvePrefix = "/" + repo + "/resolve/";
            if (path.startsWith("/cdn/")) {
                cdn(ex, path.substring(5));
            } else if (path.startsWith(apiPrefix)) {
                String rest = path.substring(apiPrefix.length());
                if (!rest.startsWith(repo + "/revision/")) {
                    error(ex, 401, "RepoNotFound", "Repository not found");
                } else if (!authorised(auth)) {
                    error(ex, 401, "GatedRepo", "Access to model " + repo + " is restricted.");
                } else {
                    String rev = rest.substring((repo + "/revision/").length());
                    if (!rev.equals("main") && !rev.equals(commit)) {
                        error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
                        return;
                    }
                    StringBuilder json = new StringBuilder("{\"id\":\"" + repo + "\",\"sha\":\"" + commit
                            + "\",\"siblings\":[");
                    int i = 0;
                    for (String f : files.keySet()) {
                        json.append(i++ == 0 ? "" : ",").append("{\"rfilename\":\"").append(f).append("\"}");
                    }
                    send(ex, 200, json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
                }
            } else if (path.startsWith(resolvePrefix)) {
                String rest = path.substring(resolvePrefix.length());
                int slash = rest.indexOf('/');
                String rev = rest.substring(0, slash);
                String file = URI.create("x:/" + rest.substring(slash + 1)).getPath().substring(1);
                if (!authorised(auth)) {
                    error(ex, 403, "GatedRepo", "Access to model " + repo + " is restricted.");
                } else if (!rev.equals("main") && !rev.equals(commit)) {
                    error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
                } else if (!files.containsKey(file)) {
                    error(ex, 404, "EntryNotFound", "Entry not found");
                } else if (isLfs(file)) {
                    var h = ex.getResponseHeaders();
                    h.set("X-Repo-Commit", commit);
                    h.set("X-Linked-Etag", "\"" + etag(file) + "\"");
                    h.set("X-Linked-Size", String.valueOf(files.get(file).length));
                    h.set("ETag", "W/\"not-the-blob-name\"");
                    h.set("Location", endpoint() + "/cdn/" + etag(file));
                    ex.sendResponseHeaders(302, -1);
                } else {
                    var h = ex.getResponseHeaders();
                    h.set("X-Repo-Commit", commit);
                    h.set("ETag", "\"" + etag(file) + "\"");
                    byte[] b = files.get(file);
                    if (ex.getRequestMethod().equals("HEAD")) {
                        h.set("Content-Length", String.valueOf(b.length));
                        ex.sendResponseHeaders(200, -1);
                    } else {
                        send(ex, 200, b);
                    }
                }
            } else {
                error(ex, 404, null, "not found");
            }
        } catch (Cut c) {
            cut = true;
            throw c; // leave the exchange open: the server drops the connection mid-body
        } finally {
            if (!cut) {
                ex.close();
            }
        }
    }

    /** Thrown out of the handler after half a body: the JDK server then closes the connection abruptly. */
    private static final class Cut extends RuntimeException {
        Cut() {
            super("connection cut by the test", null, false, false);
        }
    }

    private boolean authorised(String auth) {
        return requiredToken == null || ("Bearer " + requiredToken).equals(auth);
    }

    private void cdn(HttpExchange ex, String sha) throws IOException {
        String file = files.keySet().stream().filter(f -> isLfs(f) && etag(f).equals(sha)).findFirst().orElse(null);
        if (file == null) {
            error(ex, 404, null, "no such object");
            return;
        }
        byte[] b = files.get(file);
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            if (from >= b.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + b.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
        }
        int n = b.length - from;
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(range != null ? 206 : 200, -1);
            return;
        }
        ex.sendResponseHeaders(range != null ? 206 : 200, n);
        OutputStream out = ex.getResponseBody();
        if (cutOnce.remove(file)) {
            out.write(b, from, n / 2);
            out.flush();
            throw new Cut();
        }
        out.write(b, from, n);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
        ex.getResponseHeaders().set("X-Error-Message", message);
        send(ex, status, ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }

    static String hex(String algo, byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algo).digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

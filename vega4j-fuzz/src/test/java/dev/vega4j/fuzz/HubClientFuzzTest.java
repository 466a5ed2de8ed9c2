package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.sun.net.httpserver.HttpServer;
import dev.vega4j.hub.FileMetadata;
import dev.vega4j.hub.HubClient;
import dev.vega4j.hub.HubConfig;
import dev.vega4j.hub.HubException;
import dev.vega4j.hub.RepoId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Hub client against a fake hub that answers every request with the fuzzed response: {@code status\n}, header
 * lines {@code Name: value\n}, an empty line, the body. Redirects therefore loop until the client's limit; every
 * absolute {@code Location} part (or {@code //host} one) is pointed back at the fake hub (the fuzzer must not reach other hosts), a malformed one is kept.
 * The revision API (JSON), the file metadata ({@code HEAD}: ETag, commit, size, redirects) and a resumed download may
 * only throw a {@link HubException}, and the download also an {@link IOException} (documented: the transfer broke).
 */
class HubClientFuzzTest {
    // anywhere in the value, not only at its start: the HTTP stack may drop leading control characters the fake server
    // sent (a Location of NULs + "https://elsewhere" reached elsewhere)
    private static final Pattern ABSOLUTE = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#\\u0000-\\u0020]*");
    private static HttpServer server;
    private static HubClient client;
    private static volatile byte[] response = new byte[0];
    private static Path dir;

    private static synchronized HubClient client() throws IOException {
        if (client == null) {
            dir = Files.createTempDirectory("vega-fuzz-hub");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", ex -> {
                try (ex) {
                    Scripted r = Scripted.parse(response, "http://127.0.0.1:" + server.getAddress().getPort());
                    for (String[] h : r.headers) {
                        try {
                            ex.getResponseHeaders().add(h[0], h[1]);
                        } catch (IllegalArgumentException e) {
                            // a header the fake server itself cannot send: not what the client sees
                        }
                    }
                    boolean head = ex.getRequestMethod().equals("HEAD");
                    ex.sendResponseHeaders(r.status, head || r.body.length == 0 ? -1 : r.body.length);
                    if (!head) {
                        try (OutputStream out = ex.getResponseBody()) {
                            out.write(r.body);
                        }
                    }
                }
            });
            server.start();
            client = new HubClient(new HubConfig(dir.resolve("cache"),
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "hf_fuzz", false));
        }
        return client;
    }

    private record Scripted(int status, java.util.List<String[]> headers, byte[] body) {
        static Scripted parse(byte[] in, String self) {
            int end = indexOf(in, "\n\n".getBytes(StandardCharsets.ISO_8859_1));
            String head = new String(in, 0, end < 0 ? in.length : end, StandardCharsets.ISO_8859_1);
            byte[] body = end < 0 ? new byte[0] : Arrays.copyOfRange(in, end + 2, in.length);
            String[] lines = head.split("\n");
            int status;
            try {
                status = Integer.parseInt(lines[0].strip());
            } catch (NumberFormatException e) {
                status = 200;
            }
            status = status < 200 || status > 599 ? 200 : status;
            java.util.List<String[]> headers = new java.util.ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).strip();
                String value = lines[i].substring(colon + 1).strip();
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("content-length") || lower.equals("transfer-encoding") || lower.equals("connection")) {
                    continue; // framing is the fake server's business
                }
                if (lower.equals("location")) {
                    value = ABSOLUTE.matcher(value).replaceAll(java.util.regex.Matcher.quoteReplacement(self));
                }
                headers.add(new String[] {name, value});
            }
            return new Scripted(status, headers, body);
        }

        private static int indexOf(byte[] a, byte[] b) {
            outer:
            for (int i = 0; i + b.length <= a.length; i++) {
                for (int j = 0; j < b.length; j++) {
                    if (a[i + j] != b[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        client();
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/hub.dict")
    void responses(byte[] input) throws IOException {
        HubClient c = client();
        FuzzServer.allowLoopback();
        response = input;
        RepoId repo = new RepoId("segmind/Segmind-Vega");
        Contract.check(HubException.class, 32 * Contract.MB, () -> c.revisionInfo(repo, "main"));
        Contract.check(HubException.class, 32 * Contract.MB, () -> {
            FileMetadata m = c.fileMetadata(repo, "main", "unet/config.json");
            if (m.etag() == null || m.commit() == null || m.location() == null) {
                throw new AssertionError("incomplete metadata " + m);
            }
        });
        Path partial = dir.resolve("blob.incomplete");
        Files.write(partial, new byte[] {1, 2, 3});
        Contract.check(HubException.class, 32 * Contract.MB, () -> {
            try {
                c.download(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/cdn/blob"), partial,
                        n -> { });
            } catch (IOException e) {
                if (e.getMessage() == null) {
                    throw new AssertionError("an IOException without a message", e);
                }
            }
        });
    }
}

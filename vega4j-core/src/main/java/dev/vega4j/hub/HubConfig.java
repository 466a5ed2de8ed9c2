package dev.vega4j.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where the Hugging Face cache lives, which Hub to talk to, with which token, and whether to talk at all. Read from the
 * same environment variables as huggingface_hub 0.20 ({@code huggingface_hub/constants.py}), so that a cache filled by
 * Python is found by vega4j and the other way round; tests build one directly instead of mutating the environment.
 *
 * @param cacheDir the hub cache ({@code .../huggingface/hub}) holding {@code models--org--name} folders
 * @param endpoint the Hub's base URL, without a trailing slash
 * @param token    an access token for gated or private repos; null = anonymous
 * @param offline  never touch the network; resolve from the cache only
 */
public record HubConfig(Path cacheDir, URI endpoint, String token, boolean offline) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public HubConfig {
        if (cacheDir == null) {
            throw new IllegalArgumentException("cacheDir is required");
        }
        String e = endpoint == null ? DEFAULT_ENDPOINT : endpoint.toString();
        while (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        endpoint = URI.create(e);
        token = token == null || token.isBlank() ? null : token.strip();
    }

    /** The process environment and the user's home folder. */
    public static HubConfig fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * {@code HF_HUB_CACHE} (or legacy {@code HUGGINGFACE_HUB_CACHE}), else {@code $HF_HOME/hub}, else
     * {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}; {@code HF_ENDPOINT};
     * {@code HF_TOKEN} (or legacy {@code HUGGING_FACE_HUB_TOKEN}), else the token file that {@code huggingface-cli login}
     * writes ({@code HF_TOKEN_PATH}, default {@code $HF_HOME/token}); {@code HF_HUB_OFFLINE} in 1/ON/YES/TRUE.
     */
    public static HubConfig fromEnvironment(Map<String, String> env, Path home) {
        String xdg = nonBlank(env.get("XDG_CACHE_HOME"));
        Path hfHome = nonBlank(env.get("HF_HOME")) != null ? expand(env.get("HF_HOME"), home)
                : (xdg != null ? expand(xdg, home) : home.resolve(".cache")).resolve("huggingface");
        String cacheEnv = nonBlank(env.get("HF_HUB_CACHE")) != null ? env.get("HF_HUB_CACHE")
                : nonBlank(env.get("HUGGINGFACE_HUB_CACHE"));
        Path cache = cacheEnv != null ? expand(cacheEnv, home) : hfHome.resolve("hub");

        String endpoint = nonBlank(env.get("HF_ENDPOINT"));

        String token = nonBlank(env.get("HF_TOKEN"));
        if (token == null) {
            token = nonBlank(env.get("HUGGING_FACE_HUB_TOKEN"));
        }
        if (token == null) {
            Path tokenFile = nonBlank(env.get("HF_TOKEN_PATH")) != null ? expand(env.get("HF_TOKEN_PATH"), home)
                    : hfHome.resolve("token");
            token = readToken(tokenFile);
        }
        return new HubConfig(cache, endpoint == null ? null : URI.create(endpoint), token,
                isTrue(env.get("HF_HUB_OFFLINE")));
    }

    public HubConfig withCacheDir(Path dir) {
        return new HubConfig(dir, endpoint, token, offline);
    }

    public HubConfig withOffline(boolean off) {
        return new HubConfig(cacheDir, endpoint, token, off);
    }

    /** Same truthy values as huggingface_hub's {@code _is_true}. */
    static boolean isTrue(String v) {
        return v != null && switch (v.strip().toUpperCase(Locale.ROOT)) {
            case "1", "ON", "YES", "TRUE" -> true;
            default -> false;
        };
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Path expand(String p, Path home) {
        if (p.equals("~")) {
            return home;
        }
        if (p.startsWith("~/")) {
            return home.resolve(p.substring(2));
        }
        return Path.of(p);
    }

    private static String readToken(Path file) {
        try {
            return Files.isRegularFile(file) ? nonBlank(Files.readString(file).strip()) : null;
        } catch (IOException e) {
            return null; // an unreadable token file is the same as none: anonymous access
        }
    }

    @Override
    public String toString() {
        // never print the token
        return "HubConfig[cacheDir=" + cacheDir + ", endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set")
                + ", offline=" + offline + "]";
    }
}

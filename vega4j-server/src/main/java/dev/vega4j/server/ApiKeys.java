package dev.vega4j.server;

import dev.vega4j.VegaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The accepted API keys, each with an optional daily quota. Sources: a file with one {@code key [quota]} per line
 * ({@code #} comments), or {@code VEGA_API_KEYS} = comma-separated {@code key} or {@code key:quota}.
 * A quota of {@link #DEFAULT_QUOTA} means "the server's default".
 */
public final class ApiKeys {
    public static final String ENV = "VEGA_API_KEYS";
    public static final long DEFAULT_QUOTA = -1;

    private final Map<String, Long> quotas;

    private ApiKeys(Map<String, Long> quotas) {
        this.quotas = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(quotas));
    }

    public static ApiKeys none() {
        return new ApiKeys(Map.of());
    }

    public static ApiKeys of(Map<String, Long> keyToQuota) {
        keyToQuota.keySet().forEach(ApiKeys::checkKey);
        return new ApiKeys(keyToQuota);
    }

    public static ApiKeys of(String... keys) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String k : keys) {
            m.put(k, DEFAULT_QUOTA);
        }
        return of(m);
    }

    /** Parses {@code VEGA_API_KEYS}-style text: {@code key1,key2:100}. */
    public static ApiKeys parseList(String text) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String item : text.split(",")) {
            String s = item.strip();
            if (s.isEmpty()) {
                continue;
            }
            int colon = s.lastIndexOf(':');
            if (colon > 0) {
                m.put(s.substring(0, colon), quota(s.substring(colon + 1), ApiKeys.ENV));
            } else {
                m.put(s, DEFAULT_QUOTA);
            }
        }
        return of(m);
    }

    public static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VegaException("cannot read API key file " + file + ": " + e.getMessage(), e);
        }
        Map<String, Long> m = new LinkedHashMap<>();
        int n = 0;
        for (String line : lines) {
            n++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] parts = s.split("\\s+");
            if (parts.length > 2) {
                throw new VegaException(file + " line " + n + ": expected 'key' or 'key quota'");
            }
            m.put(parts[0], parts.length == 2 ? quota(parts[1], file + " line " + n) : DEFAULT_QUOTA);
        }
        return of(m);
    }

    private static long quota(String s, String where) {
        try {
            long q = Long.parseLong(s.strip());
            if (q < 0) {
                throw new NumberFormatException();
            }
            return q;
        } catch (NumberFormatException e) {
            throw new VegaException(where + ": quota must be a whole number >= 0 (0 = unlimited), got '" + s + "'");
        }
    }

    private static void checkKey(String k) {
        if (k == null || k.length() < 8 || !k.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new VegaException("API keys must be at least 8 printable ASCII characters without spaces");
        }
    }

    public boolean isEmpty() {
        return quotas.isEmpty();
    }

    public int size() {
        return quotas.size();
    }

    /**
     * The stored key equal to {@code candidate}, or null. Compares every key in constant time per key so that the
     * response time does not reveal how much of a key was right.
     */
    public String match(String candidate) {
        if (candidate == null) {
            return null;
        }
        byte[] c = candidate.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (String k : quotas.keySet()) {
            if (MessageDigest.isEqual(c, k.getBytes(StandardCharsets.UTF_8))) {
                found = k;
            }
        }
        return found;
    }

    /** The key's own quota, or {@link #DEFAULT_QUOTA}. */
    public long quotaOf(String key) {
        return quotas.getOrDefault(key, DEFAULT_QUOTA);
    }

    public List<String> keys() {
        return new ArrayList<>(quotas.keySet());
    }
}

package dev.vega4j.server;

import java.util.concurrent.ConcurrentHashMap;

/** Token bucket per API key: {@code perMinute} requests, refilled continuously; 429 with Retry-After when empty. */
final class RateLimiter implements RateLimit {
    private final int perMinute;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    private static final class Bucket {
        double tokens;
        long lastNanos;
    }

    @Override
    public void acquire(String key) {
        if (perMinute <= 0) {
            return;
        }
        Bucket b = buckets.computeIfAbsent(key == null ? "" : key, k -> {
            Bucket nb = new Bucket();
            nb.tokens = perMinute;
            nb.lastNanos = System.nanoTime();
            return nb;
        });
        synchronized (b) {
            long now = System.nanoTime();
            double perNano = perMinute / 60e9;
            b.tokens = Math.min(perMinute, b.tokens + (now - b.lastNanos) * perNano);
            b.lastNanos = now;
            if (b.tokens < 1) {
                int wait = (int) Math.ceil((1 - b.tokens) / perNano / 1e9);
                throw new ApiException(429, "rate_limited", "rate limit of " + perMinute
                        + " requests per minute exceeded; retry in " + wait + " s", Math.max(1, wait));
            }
            b.tokens -= 1;
        }
    }
}

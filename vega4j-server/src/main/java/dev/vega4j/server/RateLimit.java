package dev.vega4j.server;

/** Requests per key per minute: this process's buckets ({@link RateLimiter}) or the store's, shared by api nodes. */
interface RateLimit {
    /** Takes one request of the key's allowance, or throws 429 with Retry-After. */
    void acquire(String key);
}

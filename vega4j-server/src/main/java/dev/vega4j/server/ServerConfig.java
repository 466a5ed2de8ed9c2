package dev.vega4j.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code vega serve} can tune. Defaults suit one CPU engine: a short queue (a generation takes tens of
 * seconds, so a long queue only makes clients wait longer before timing out), Segmind's limits of 1–4 samples.
 *
 * @param host             address to bind; forced to 127.0.0.1 when no API keys are configured
 * @param port             TCP port (0 = any free port, for tests)
 * @param keys             accepted API keys with their daily quotas
 * @param defaultDailyQuota quota for keys that do not name their own (0 = unlimited)
 * @param dataDir          where quotas are stored (null = quotas kept in memory only)
 * @param queueCapacity    jobs waiting behind the running one before 429
 * @param resultTtl        how long finished async results stay retrievable
 * @param maxRetainedJobs  finished jobs kept at most (oldest evicted first)
 * @param maxBodyBytes     largest request body (413 above)
 * @param minSide          smallest image side accepted
 * @param maxSide          largest image side accepted
 * @param maxSteps         most denoising steps accepted
 * @param maxSamples       most images per request (Segmind: 4)
 * @param rateLimitPerMinute requests per key per minute (0 = no limit)
 * @param shutdownGrace    how long shutdown lets queued jobs finish before failing them
 */
public record ServerConfig(String host, int port, ApiKeys keys, long defaultDailyQuota, Path dataDir,
        int queueCapacity, Duration resultTtl, int maxRetainedJobs, long maxBodyBytes, int minSide, int maxSide,
        int maxSteps, int maxSamples, int rateLimitPerMinute, Duration shutdownGrace) {

    public ServerConfig {
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queue capacity must be >= 0");
        }
        if (minSide < 8 || maxSide < minSide || maxSide > 4096) {
            throw new IllegalArgumentException("image side bounds must satisfy 8 <= min <= max <= 4096");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean authRequired() {
        return !keys.isEmpty();
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private ApiKeys keys = ApiKeys.none();
        private long defaultDailyQuota;
        private Path dataDir;
        private int queueCapacity = 16;
        private Duration resultTtl = Duration.ofMinutes(30);
        private int maxRetainedJobs = 1000;
        private long maxBodyBytes = 16L << 20;
        private int minSide = 64;
        private int maxSide = 2048;
        private int maxSteps = 150;
        private int maxSamples = 4;
        private int rateLimitPerMinute;
        private Duration shutdownGrace = Duration.ofSeconds(30);

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder keys(ApiKeys v) { keys = v; return this; }
        public Builder defaultDailyQuota(long v) { defaultDailyQuota = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder queueCapacity(int v) { queueCapacity = v; return this; }
        public Builder resultTtl(Duration v) { resultTtl = v; return this; }
        public Builder maxRetainedJobs(int v) { maxRetainedJobs = v; return this; }
        public Builder maxBodyBytes(long v) { maxBodyBytes = v; return this; }
        public Builder minSide(int v) { minSide = v; return this; }
        public Builder maxSide(int v) { maxSide = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder maxSamples(int v) { maxSamples = v; return this; }
        public Builder rateLimitPerMinute(int v) { rateLimitPerMinute = v; return this; }
        public Builder shutdownGrace(Duration v) { shutdownGrace = v; return this; }

        public ServerConfig build() {
            return new ServerConfig(host, port, keys, defaultDailyQuota, dataDir, queueCapacity, resultTtl,
                    maxRetainedJobs, maxBodyBytes, minSide, maxSide, maxSteps, maxSamples, rateLimitPerMinute,
                    shutdownGrace);
        }
    }
}

package dev.vega4j.server;

/** Who sent a request: the matched API key, or null when the server runs without keys (loopback only). */
record Caller(String key) {
    static final Caller LOCAL = new Caller(null);

    boolean owns(Job job) {
        return key == null || key.equals(job.owner());
    }
}

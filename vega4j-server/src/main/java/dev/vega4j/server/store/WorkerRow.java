package dev.vega4j.server.store;

/**
 * A worker's registration: what it serves ({@code models}, the server's JSON) and whether it is alive (its last
 * heartbeat is younger than a lease and it did not sign off).
 */
public record WorkerRow(String id, String host, String models, String busyJob, long heartbeatAgeMillis, boolean live) {}

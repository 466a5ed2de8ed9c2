package dev.vega4j.server.store;

/**
 * The answer to a worker's lease renewal.
 *
 * @param held         whether the worker still holds the job (false: the lease was lost and the job requeued or
 *                     finished by another worker; the worker must drop it)
 * @param cancelReason why a client asked to stop the job, or null
 */
public record Renewal(boolean held, String cancelReason) {}

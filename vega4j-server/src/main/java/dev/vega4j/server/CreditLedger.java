package dev.vega4j.server;

/**
 * Per-key daily credits: the H2 file of one process ({@link QuotaStore}) or the store's ledger shared by api nodes
 * ({@link StoreCredits}).
 */
interface CreditLedger extends AutoCloseable {
    /** Takes {@code n} credits; returns what is left, or throws 406 when fewer remain. Unlimited keys: -1. */
    long reserve(String key, int n);

    /** Gives back credits of a job that was refused before it was queued. */
    void refund(String key, int n);

    /** Credits left today, or -1 for unlimited keys. */
    long remaining(String key);

    /**
     * Arranges for the job's credits to come back if it fails. The shared store refunds in the same transaction that
     * fails the job (whichever node does it), so there this does nothing.
     */
    void refundIfFails(Job job);

    @Override
    void close();
}

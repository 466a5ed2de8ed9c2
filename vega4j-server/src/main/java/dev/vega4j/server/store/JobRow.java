package dev.vega4j.server.store;

import java.util.List;
import java.util.UUID;

/**
 * One row of the shared jobs table, as the store keeps it: the request and result as the server's JSON, times in
 * epoch milliseconds of the store's clock (0 = not yet), images only where asked for and the job completed.
 */
public record JobRow(UUID id, String model, String request, String ownerHash, int credits, PgStore.State state,
        int attempts, String workerId, String cancelReason, int step, int total, long createdMillis,
        long startedMillis, long finishedMillis, String result, String failureKind, String failureMessage,
        int retryAfter, List<byte[]> images) {

    public boolean isFinal() {
        return state == PgStore.State.COMPLETED || state == PgStore.State.FAILED;
    }
}

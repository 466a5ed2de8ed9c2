package dev.vega4j.server;

/**
 * Why the engine refused a request or why a job ended without images, in the engine's own terms: whose fault it was
 * and what the caller can do, never an HTTP status. The HTTP layer alone turns it into one ({@link ApiException#of}),
 * so a synchronous answer and an async job's status say the same thing.
 *
 * @param kind              what happened
 * @param message           one line for the client naming the cause (never a stack trace or a server path)
 * @param retryAfterSeconds when asking again makes sense (overload, shutdown); 0 = no advice
 */
public record JobFailure(Kind kind, String message, int retryAfterSeconds) {

    /** The outcomes of a request that produced no images. */
    public enum Kind {
        /** The request asks for something invalid or something this model cannot do (client's fault). */
        BAD_REQUEST(true),
        /** No model of that name is loaded (client's fault). */
        UNKNOWN_MODEL(true),
        /** The queue is full: come back later. */
        OVERLOADED(false),
        /** The server is stopping and takes or finishes no more jobs. */
        SHUTTING_DOWN(false),
        /** Stopped on request: the client disconnected or interrupted it. */
        CANCELLED(false),
        /**
         * The server's side failed: a model, weight or adapter file the operator offers cannot be read, memory ran
         * out, an internal check or a bug.
         */
        MODEL_FAILURE(false),
        /** A service the server depends on (the Hugging Face Hub) failed or could not be reached. */
        UPSTREAM(false);

        private final boolean clientFault;

        Kind(boolean clientFault) {
            this.clientFault = clientFault;
        }

        /** Whether the request itself is wrong (asking again unchanged fails again), as opposed to the server. */
        public boolean clientFault() {
            return clientFault;
        }
    }

    public JobFailure {
        if (kind == null) {
            throw new IllegalArgumentException("a failure needs a kind");
        }
        retryAfterSeconds = Math.max(0, retryAfterSeconds);
    }

    public static JobFailure of(Kind kind, String message) {
        return new JobFailure(kind, message, 0);
    }
}

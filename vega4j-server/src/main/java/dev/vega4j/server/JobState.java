package dev.vega4j.server;

/** Segmind's async job states. Cancelled and shut-down jobs end FAILED with a message saying why. */
public enum JobState {
    QUEUED, PROCESSING, COMPLETED, FAILED;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED;
    }
}

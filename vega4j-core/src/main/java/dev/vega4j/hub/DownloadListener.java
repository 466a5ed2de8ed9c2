package dev.vega4j.hub;

/** Hears how a snapshot download goes, e.g. to draw a progress bar. Called on the downloading thread. */
public interface DownloadListener {
    DownloadListener NONE = new DownloadListener() {};

    /** Before the first byte: how many files and bytes are missing from the cache (bytes already partial excluded). */
    default void start(String repo, int files, long bytes) {}

    /** A file begins (size -1 when unknown). */
    default void fileStarted(String file, long size) {}

    /** More bytes arrived (negative when a server ignored a resume request and bytes must come again). */
    default void bytes(long delta) {}

    default void fileFinished(String file) {}

    /** Something worth telling the user that is not an error (e.g. "offline: using the cached snapshot"). */
    default void notice(String message) {}

    default void finished() {}
}

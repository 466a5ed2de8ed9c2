package dev.vega4j.cli;

import dev.vega4j.hub.DownloadListener;
import java.io.PrintWriter;

/** Shows a Hub download as one byte-counting progress bar over all missing files. */
final class DownloadProgress implements DownloadListener {
    private final PrintWriter err;
    private final ProgressBar bar;
    private long received;

    DownloadProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.bar = new ProgressBar(err, terminal, ProgressBar.Unit.BYTES);
    }

    @Override
    public void start(String repo, int files, long bytes) {
        err.println("downloading " + repo + ": " + files + (files == 1 ? " file, " : " files, ")
                + ProgressBar.bytes(bytes));
        received = 0;
        bar.start("download", bytes);
    }

    @Override
    public void bytes(long delta) {
        received += delta;
        bar.update(received);
    }

    @Override
    public void notice(String message) {
        bar.message("vega: " + message);
    }

    @Override
    public void finished() {
        bar.finish();
    }
}

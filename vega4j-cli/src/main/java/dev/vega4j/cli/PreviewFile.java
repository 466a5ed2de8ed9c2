package dev.vega4j.cli;

import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.ProgressListener;
import java.nio.file.Path;

/**
 * {@code vega generate --preview FILE}: passes progress on and rewrites {@code FILE} with each live preview. The file
 * is replaced atomically ({@link ImageFiles#write}), so a viewer watching it never reads half a PNG.
 */
record PreviewFile(ProgressListener delegate, Path file, int interval) implements ProgressListener {

    @Override
    public void onProgress(ProgressEvent event) {
        delegate.onProgress(event);
    }

    @Override
    public int previewInterval() {
        return interval;
    }

    @Override
    public void onPreview(Preview preview) {
        ImageFiles.write(preview.image(), null, file);
    }
}

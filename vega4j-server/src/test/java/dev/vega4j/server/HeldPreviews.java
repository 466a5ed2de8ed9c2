package dev.vega4j.server;

import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.ProgressListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real pipeline whose live previews a test can watch: after each preview reaches the server the run pauses
 * ({@link #delayMillis}), and after the preview of step {@link #holdStep} it waits (at most 20 s) until {@link #release}
 * is called, so "while the job runs" is a state a test can observe without racing the tiny model's millisecond steps.
 */
final class HeldPreviews implements Pipeline {
    private final Pipeline delegate;
    volatile long delayMillis;
    volatile int holdStep;
    private volatile CountDownLatch gate = new CountDownLatch(1);
    /** Counted down when the held step's preview has been handed to the server. */
    volatile CountDownLatch held = new CountDownLatch(1);

    HeldPreviews(Pipeline delegate, long delayMillis, int holdStep) {
        this.delegate = delegate;
        this.delayMillis = delayMillis;
        this.holdStep = holdStep;
    }

    void release() {
        gate.countDown();
    }

    void rearm() {
        gate = new CountDownLatch(1);
        held = new CountDownLatch(1);
    }

    @Override
    public ModelInfo info() {
        return delegate.info();
    }

    @Override
    public GenerationResult generate(GenerationRequest request, ProgressListener progress, Cancellation cancellation) {
        return delegate.generate(request, new ProgressListener() {
            @Override
            public void onProgress(ProgressEvent event) {
                progress.onProgress(event);
            }

            @Override
            public int previewInterval() {
                return progress.previewInterval();
            }

            @Override
            public void onPreview(Preview preview) {
                progress.onPreview(preview);
                try {
                    if (preview.step() == holdStep) {
                        held.countDown();
                        gate.await(20, TimeUnit.SECONDS);
                    }
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, cancellation);
    }

    @Override
    public void close() {
        // the delegate is the test's
    }
}

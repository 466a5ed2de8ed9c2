package dev.vega4j.fuzz;

import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.schedulers.SchedulerRegistry;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A pipeline that answers at once (optionally after a delay per step): the server's parsing, validation, queueing,
 * encoding and bookkeeping are what the fuzz and soak tests exercise, not the model. Like the real pipeline it
 * resolves the scheduler name, reports every step and stops at a cancellation.
 */
final class InstantPipeline implements Pipeline {
    private final long stepMillis;

    InstantPipeline(long stepMillis) {
        this.stepMillis = stepMillis;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("instant", Family.SDXL, 64, 64, "Euler");
    }

    @Override
    public GenerationResult generate(GenerationRequest req, ProgressListener progress, Cancellation cancellation) {
        long t0 = System.nanoTime();
        String scheduler = req.scheduler() == null ? "Euler" : req.scheduler();
        SchedulerRegistry.resolve(scheduler);
        for (int step = 1; step <= req.steps(); step++) {
            cancellation.check();
            if (stepMillis > 0) {
                try {
                    Thread.sleep(stepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            progress.onProgress(new ProgressListener.ProgressEvent(ProgressListener.Phase.DENOISE, step, req.steps(),
                    System.nanoTime() - t0));
        }
        cancellation.check();
        int w = req.width() != null ? req.width() : 64;
        int h = req.height() != null ? req.height() : 64;
        long seed = req.seed() == -1 ? 1 : req.seed();
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < req.samples(); i++) {
            images.add(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB));
        }
        var used = new GenerationResult.UsedParameters(req.prompt(), req.negativePrompt(), req.steps(),
                req.guidanceScale(), seed, scheduler, w, h, req.samples(), "instant",
                req.initImage() != null ? req.strength() : null);
        return new GenerationResult(images, used, (System.nanoTime() - t0) / 1_000_000);
    }
}

package dev.vega4j.server;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.VegaException;
import dev.vega4j.hub.HubException;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.schedulers.SchedulerRegistry;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in for a real pipeline: paints each image in one colour derived from the prompt and seed (so
 * tests can tell which request an image belongs to), reports every step, honours cancellation between steps, and can
 * be slowed down per step. Resolves scheduler names through the registry as the real pipeline does; the prompt
 * "reject me" fails like a bad request inside the pipeline, "broken weights" like a model file that cannot be read,
 * "hub down" like an unreachable Hub, "explode" like a bug.
 */
final class FakePipeline implements Pipeline {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger cancelled = new AtomicInteger();
    final ConcurrentHashMap<String, Integer> promptsSeen = new ConcurrentHashMap<>();
    volatile long stepDelayMillis;
    /** Counted down when a generation starts its first step. */
    volatile CountDownLatch started = new CountDownLatch(1);
    /** When set, each generation waits (at most 20 s) at its first step until the latch opens. */
    volatile CountDownLatch gate;

    FakePipeline() {
        this(0);
    }

    FakePipeline(long stepDelayMillis) {
        this.stepDelayMillis = stepDelayMillis;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("fake-vega", Family.SDXL, 64, 64, "Euler");
    }

    @Override
    public GenerationResult generate(GenerationRequest req, ProgressListener progress, Cancellation cancellation) {
        calls.incrementAndGet();
        promptsSeen.merge(req.prompt(), 1, Integer::sum);
        long t0 = System.nanoTime();
        String scheduler = req.scheduler() == null ? "Euler" : req.scheduler();
        SchedulerRegistry.resolve(scheduler);
        if (req.prompt().equals("reject me")) {
            throw new InvalidRequestException("the fake pipeline rejects this prompt");
        }
        if (req.prompt().equals("broken weights")) {
            throw new VegaException("unet/diffusion_pytorch_model.safetensors: the file is truncated");
        }
        if (req.prompt().equals("hub down")) {
            throw new HubException(HubException.Reason.NETWORK, "cannot reach huggingface.co");
        }
        if (req.prompt().equals("explode")) {
            throw new IllegalStateException("simulated bug at dev.vega4j.Secret.line(42)");
        }
        int w = req.width() != null ? req.width() : req.initImage() != null ? req.initImage().getWidth() / 8 * 8 : 64;
        int h = req.height() != null ? req.height() : req.initImage() != null ? req.initImage().getHeight() / 8 * 8 : 64;
        long seed = req.seed() == -1 ? 1234 : req.seed();
        progress.onProgress(new ProgressListener.ProgressEvent(ProgressListener.Phase.ENCODE_PROMPT, 0, req.steps(),
                System.nanoTime() - t0));
        for (int step = 1; step <= req.steps(); step++) {
            checkCancelled(cancellation);
            if (step == 1) {
                started.countDown();
                CountDownLatch g = gate;
                if (g != null) {
                    try {
                        g.await(20, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            if (stepDelayMillis > 0) {
                try {
                    Thread.sleep(stepDelayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    checkCancelled(cancellation);
                }
            }
            progress.onProgress(new ProgressListener.ProgressEvent(ProgressListener.Phase.DENOISE, step, req.steps(),
                    System.nanoTime() - t0));
        }
        checkCancelled(cancellation);
        var images = new java.util.ArrayList<BufferedImage>();
        for (int i = 0; i < req.samples(); i++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int rgb = colorOf(req.prompt(), seed, i);
            if (req.initImage() != null) {
                rgb ^= req.initImage().getRGB(0, 0) & 0xffffff;
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, rgb);
                }
            }
            images.add(img);
        }
        var used = new GenerationResult.UsedParameters(req.prompt(), req.negativePrompt(), req.steps(),
                req.guidanceScale(), seed, scheduler, w, h, req.samples(), "fake-vega",
                req.initImage() != null ? req.strength() : null);
        return new GenerationResult(images, used, (System.nanoTime() - t0) / 1_000_000);
    }

    private void checkCancelled(Cancellation c) {
        if (c.isCancelled()) {
            cancelled.incrementAndGet();
            c.check();
        }
    }

    /** The colour of sample {@code i}: coarse steps (multiples of 32) so JPEG round trips keep it recognisable. */
    static int colorOf(String prompt, long seed, int i) {
        int hash = (prompt.toLowerCase(Locale.ROOT) + "|" + seed + "|" + i).hashCode();
        int r = ((hash >>> 16) & 7) * 32 + 16;
        int g = ((hash >>> 8) & 7) * 32 + 16;
        int b = (hash & 7) * 32 + 16;
        return (r << 16) | (g << 8) | b;
    }
}

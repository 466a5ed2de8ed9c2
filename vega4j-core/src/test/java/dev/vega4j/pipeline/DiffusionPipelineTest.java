package dev.vega4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.InvalidRequestException;
import dev.vega4j.pipeline.ProgressListener.Phase;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.schedulers.PredictionType;
import dev.vega4j.schedulers.SchedulerConfig;
import dev.vega4j.schedulers.SchedulerOverrides;
import dev.vega4j.schedulers.SchedulerType;
import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pipeline's control flow with stand-in components (no model files). */
class DiffusionPipelineTest {

    /** x_{t-1} = x - 0.1 * eps; add_noise = x0 + noise * t / 1000. */
    static final class FakeScheduler implements SamplingScheduler {
        double[] ts;

        @Override public String name() { return "Fake"; }
        @Override public void setTimesteps(int n) {
            ts = new double[n];
            for (int i = 0; i < n; i++) {
                ts[i] = 999 - i * (1000.0 / n);
            }
        }
        @Override public double[] timesteps() { return ts.clone(); }
        @Override public int order() { return 1; }
        @Override public float initNoiseSigma() { return 2f; }
        @Override public Tensor scaleModelInput(Tensor s, double t) { return s; }
        @Override public Tensor step(Tensor eps, double t, Tensor x, TorchGenerator g) {
            Tensor o = x.copy();
            for (int i = 0; i < o.numel(); i++) {
                o.data()[i] -= 0.1f * eps.data()[i];
            }
            return o;
        }
        @Override public Tensor addNoise(Tensor x0, Tensor n, double t) {
            Tensor o = x0.copy();
            for (int i = 0; i < o.numel(); i++) {
                o.data()[i] += n.data()[i] * (float) (t / 1000);
            }
            return o;
        }
    }

    static final class FakeUnet implements NoisePredictor {
        int calls;
        @Override public Tensor predict(Tensor s, double t, Tensor ehs, Tensor te, Tensor ids) {
            calls++;
            assertEquals(s.dim(0), ehs.dim(0));
            Tensor o = s.copy();
            for (int i = 0; i < o.numel(); i++) {
                o.data()[i] = 0.5f;
            }
            return o;
        }
        @Override public int inChannels() { return 4; }
        @Override public int sampleSize() { return 4; }
    }

    /** Scale factor 2: encode = 2x2 mean of channel 0 into 4 channels, decode = nearest upsampling of 3 channels. */
    static final class FakeVae implements LatentAutoencoder {
        @Override public Tensor decode(Tensor z) {
            int b = z.dim(0), h = z.dim(2), w = z.dim(3);
            Tensor o = Tensor.zeros(b, 3, h * 2, w * 2);
            for (int bi = 0; bi < b; bi++)
                for (int c = 0; c < 3; c++)
                    for (int y = 0; y < 2 * h; y++)
                        for (int x = 0; x < 2 * w; x++)
                            o.set(z.get(bi, c, y / 2, x / 2), bi, c, y, x);
            return o;
        }
        @Override public Tensor[] encodeMoments(Tensor img) {
            int h = img.dim(2) / 2, w = img.dim(3) / 2;
            Tensor mean = Tensor.zeros(1, 4, h, w);
            Tensor logvar = Tensor.full(-30f, 1, 4, h, w);
            for (int c = 0; c < 4; c++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        mean.set(img.get(0, 0, 2 * y, 2 * x), 0, c, y, x);
            return new Tensor[] {mean, logvar};
        }
        @Override public float scalingFactor() { return 0.5f; }
        @Override public int scaleFactor() { return 2; }
    }

    static final class FakeEncoder implements PromptEncoder {
        @Override public PromptEmbeddings encode(String p, String p2, String n, String n2, int k, boolean cfg,
                Integer skip) {
            Tensor e = Tensor.zeros(k, 77, 8);
            Tensor pooled = Tensor.zeros(k, 6);
            return new PromptEmbeddings(e, cfg ? e : null, pooled, cfg ? pooled : null);
        }
    }

    private final FakeUnet unet = new FakeUnet();

    private DiffusionPipeline pipeline() {
        var info = new Pipeline.ModelInfo("fake", Pipeline.Family.SDXL, 8, 8, "Fake");
        SchedulerProvider sp = new SchedulerProvider() {
            @Override public SamplingScheduler create(String name) { return new FakeScheduler(); }
            @Override public SamplingScheduler fromClass(String c, JsonNode o) { return new FakeScheduler(); }
        };
        return new DiffusionPipeline(info, new FakeEncoder(), unet, new FakeVae(), sp, null);
    }

    @Test
    void textToImageReportsEveryStepAndMakesOneImagePerSample() {
        List<ProgressListener.ProgressEvent> events = new ArrayList<>();
        GenerationResult r = pipeline().generate(GenerationRequest.builder("x").steps(3).seed(5).samples(2)
                .size(16, 8).build(), events::add, new Cancellation());
        assertEquals(2, r.images().size());
        assertEquals(16, r.images().get(0).getWidth());
        assertEquals(8, r.images().get(0).getHeight());
        assertEquals(3, events.stream().filter(e -> e.phase() == Phase.DENOISE).count());
        assertEquals(3, unet.calls);
        assertEquals(5, r.parameters().seed());
        assertEquals("Fake", r.parameters().scheduler());
    }

    @Test
    void theRequestsSchedulerOverridesReachTheProvider() {
        List<SchedulerOverrides> seen = new ArrayList<>();
        var info = new Pipeline.ModelInfo("fake", Pipeline.Family.SDXL, 8, 8, "Fake");
        SchedulerProvider sp = new SchedulerProvider() {
            @Override public SamplingScheduler create(String name) { return new FakeScheduler(); }
            @Override public SamplingScheduler create(String name, SchedulerOverrides o) {
                seen.add(o);
                return new FakeScheduler();
            }
            @Override public SamplingScheduler fromClass(String c, JsonNode o) { return new FakeScheduler(); }
        };
        var overrides = new SchedulerOverrides(PredictionType.V_PREDICTION, true);
        new DiffusionPipeline(info, new FakeEncoder(), unet, new FakeVae(), sp, null).generate(
                GenerationRequest.builder("x").steps(1).seed(5).size(8, 8).schedulerOverrides(overrides).build(),
                e -> {}, new Cancellation());
        assertEquals(List.of(overrides), seen);
        // a provider without a diffusers config refuses overrides instead of ignoring them
        assertThrows(InvalidRequestException.class, () -> pipeline().generate(GenerationRequest.builder("x").steps(1)
                .size(8, 8).schedulerOverrides(overrides).build(), e -> {}, new Cancellation()));
    }

    @Test
    void cancellationStopsBetweenSteps() {
        Cancellation c = new Cancellation();
        ProgressListener cancelAfterFirst = e -> {
            if (e.phase() == Phase.DENOISE) {
                c.cancel();
            }
        };
        assertThrows(Cancellation.CancelledException.class, () -> pipeline().generate(
                GenerationRequest.builder("x").steps(5).seed(1).size(8, 8).build(), cancelAfterFirst, c));
        assertEquals(1, unet.calls);
    }

    @Test
    void sameSeedSameImageAndNoiseIsTorchRandn() {
        Recorded t = new Recorded();
        DiffusionPipeline p = pipeline();
        GenerationRequest req = GenerationRequest.builder("x").steps(2).size(8, 8).build();
        p.run(req, 42, new FakeScheduler(), ProgressListener.NONE, new Cancellation(), t);
        assertArrayEquals(new TorchGenerator(42).randn(1, 4, 4, 4).data(), t.get("noise").data());
        Tensor a = p.run(req, 42, new FakeScheduler(), ProgressListener.NONE, new Cancellation(), Trace.NONE).image01();
        Tensor b = p.run(req, 42, new FakeScheduler(), ProgressListener.NONE, new Cancellation(), Trace.NONE).image01();
        assertArrayEquals(a.data(), b.data());
    }

    @Test
    void img2imgRunsTheStrengthTailOfTheSchedule() {
        BufferedImage init = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        Recorded t = new Recorded();
        pipeline().run(GenerationRequest.builder("x").steps(4).strength(0.5).initImage(init).build(), 3,
                new FakeScheduler(), ProgressListener.NONE, new Cancellation(), t);
        assertEquals(2, unet.calls);
        assertEquals(2, t.all("step_timesteps").size());
    }

    @Test
    void inpaintingKeepsTheUnmaskedLatentsOfTheImage() {
        BufferedImage init = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                init.setRGB(x, y, (x * 30) << 16);
        BufferedImage mask = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++)
            for (int x = 4; x < 8; x++)
                mask.getRaster().setSample(x, y, 0, 255);
        Recorded t = new Recorded();
        pipeline().run(GenerationRequest.builder("x").steps(3).strength(1.0).initImage(init).mask(mask).build(), 9,
                new FakeScheduler(), ProgressListener.NONE, new Cancellation(), t);
        Tensor fin = t.get("final_latents"), img = t.get("image_latents");
        for (int c = 0; c < 4; c++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 2; x++)
                    assertEquals(img.get(0, c, y, x), fin.get(0, c, y, x));
        assertEquals(1f, t.get("mask_latent").get(0, 0, 0, 3));
    }

    /** DENOISE events of a run with a real scheduler (fake UNet/VAE), as "step/total". */
    private List<String> denoiseEvents(SchedulerType type, String config, GenerationRequest req) {
        SamplingScheduler sched = SamplingScheduler.of(type.create(SchedulerConfig.fromJson(type, config)));
        List<String> out = new ArrayList<>();
        pipeline().run(req, 1, sched, e -> {
            if (e.phase() == Phase.DENOISE) {
                out.add(e.step() + "/" + e.total());
            }
        }, new Cancellation(), Trace.NONE);
        return out;
    }

    @Test
    void progressCountsDenoisingStepsNotUNetCalls() {
        GenerationRequest five = GenerationRequest.builder("x").steps(5).size(8, 8).build();
        List<String> oneToFive = List.of("1/5", "2/5", "3/5", "4/5", "5/5");
        // Heun: order 2, 2n-1 = 9 UNet calls, the bar advances after every second call and the last
        assertEquals(oneToFive, denoiseEvents(SchedulerType.HEUN, "{}", five));
        assertEquals(9, unet.calls);
        unet.calls = 0;
        assertEquals(oneToFive, denoiseEvents(SchedulerType.KDPM2, "{}", five));
        assertEquals(9, unet.calls);
        unet.calls = 0;
        // PNDM as SD 1.5 ships it (skip_prk_steps): n+1 calls, the first is the PLMS warm-up
        assertEquals(oneToFive, denoiseEvents(SchedulerType.PNDM, "{\"skip_prk_steps\": true, \"steps_offset\": 1}",
                five));
        assertEquals(6, unet.calls);
        unet.calls = 0;
        // PNDM with Runge-Kutta warm-up: 12 + n - 3 calls
        assertEquals(oneToFive, denoiseEvents(SchedulerType.PNDM, "{}", five));
        assertEquals(14, unet.calls);
        unet.calls = 0;
        assertEquals(oneToFive, denoiseEvents(SchedulerType.EULER, "{}", five));
        assertEquals(5, unet.calls);
    }

    @Test
    void img2imgProgressCountsTheStepsTheStrengthLeaves() {
        BufferedImage init = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        // 10 steps, strength 0.3: int(3.0) = 3 steps run (get_timesteps), Heun makes 5 UNet calls for them
        GenerationRequest req = GenerationRequest.builder("x").steps(10).strength(0.3).initImage(init).build();
        assertEquals(List.of("1/3", "2/3", "3/3"), denoiseEvents(SchedulerType.HEUN, "{}", req));
        assertEquals(5, unet.calls);
        unet.calls = 0;
        assertEquals(List.of("1/3", "2/3", "3/3"), denoiseEvents(SchedulerType.EULER, "{}", req));
        assertEquals(3, unet.calls);

        List<ProgressListener.ProgressEvent> events = new ArrayList<>();
        pipeline().generate(req, events::add, new Cancellation());
        assertEquals(List.of(Phase.ENCODE_PROMPT, Phase.DENOISE, Phase.DENOISE, Phase.DENOISE, Phase.DECODE,
                Phase.DONE), events.stream().map(ProgressListener.ProgressEvent::phase).toList());
        assertEquals(List.of(3), events.stream().map(ProgressListener.ProgressEvent::total).distinct().toList());
    }

    @Test
    void cancellationIsCheckedAfterEveryUNetCallEvenWithinAStep() {
        Cancellation c = new Cancellation();
        SamplingScheduler heun = SamplingScheduler.of(SchedulerType.HEUN.create(SchedulerConfig.defaults(
                SchedulerType.HEUN)));
        NoisePredictor cancelling = new NoisePredictor() {
            @Override public Tensor predict(Tensor s, double t, Tensor ehs, Tensor te, Tensor ids) {
                c.cancel(); // during the first call: the second (Heun's correction) must not run
                return unet.predict(s, t, ehs, te, ids);
            }
            @Override public int inChannels() { return 4; }
            @Override public int sampleSize() { return 4; }
        };
        DiffusionPipeline p = new DiffusionPipeline(new Pipeline.ModelInfo("fake", Pipeline.Family.SDXL, 8, 8, "Fake"),
                new FakeEncoder(), cancelling, new FakeVae(), null, null);
        assertThrows(Cancellation.CancelledException.class, () -> p.run(GenerationRequest.builder("x").steps(5)
                .size(8, 8).build(), 1, heun, ProgressListener.NONE, c, Trace.NONE));
        assertEquals(1, unet.calls);
    }

    /** Keeps what a run traces: the last value per key, and every per-step value. */
    private static final class Recorded implements Trace {
        private final java.util.Map<String, java.util.List<Tensor>> values = new java.util.HashMap<>();

        @Override
        public void record(String key, Tensor value) {
            values.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(value.copy());
        }

        java.util.List<Tensor> all(String key) {
            return values.get(key);
        }

        Tensor get(String key) {
            return values.get(key).getLast();
        }
    }
}

package dev.vega4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vega4j.VegaException;
import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Live previews: the latent shrink, the linear map, which previewer a pipeline picks, and when previews come. */
class LatentPreviewTest {

    static Tensor ramp(int c, int h, int w) {
        Tensor t = Tensor.zeros(1, c, h, w);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (i % 13) * 0.25f - 1.5f;
        }
        return t;
    }

    @Test
    void shrinkAveragesWholeCellsUntilThePictureFits256Px() {
        Tensor z = ramp(4, 80, 128); // f = 8: 640 x 1024 px -> k = 4 -> 20 x 32 latents (160 x 256 px)
        Tensor s = LatentPreviewer.shrink(z, 8);
        assertArrayEquals(new int[] {1, 4, 20, 32}, s.shape());
        for (int c = 0; c < 4; c++) {
            for (int y = 0; y < 20; y++) {
                for (int x = 0; x < 32; x++) {
                    double sum = 0; // naive reference: the mean of the 4 x 4 cell
                    for (int dy = 0; dy < 4; dy++) {
                        for (int dx = 0; dx < 4; dx++) {
                            sum += z.get(0, c, 4 * y + dy, 4 * x + dx);
                        }
                    }
                    assertEquals(sum / 16, s.get(0, c, y, x), 1e-6);
                }
            }
        }
        Tensor small = ramp(4, 8, 8);
        Tensor same = LatentPreviewer.shrink(small, 8);
        assertArrayEquals(small.data(), same.data());
        same.data()[0] = 99f;
        assertEquals(ramp(4, 8, 8).data()[0], small.data()[0], 0f); // a copy: the caller's latents stay as they were
    }

    @Test
    void linearMapIsA1111sSdxlTableThenHalfPlusHalf() {
        Tensor z = Tensor.zeros(1, 4, 1, 2);
        z.set(1f, 0, 0, 0, 0); // pixel 0: latent channel 0 only -> the table's first row
        z.set(-1f, 0, 3, 0, 1); // pixel 1: minus channel 3 -> minus the fourth row
        BufferedImage img = LinearLatentPreview.of(Pipeline.Family.SDXL).render(z);
        assertEquals(2, img.getWidth());
        assertEquals(rgb(0.3448, 0.4168, 0.4395), img.getRGB(0, 0) & 0xffffff);
        assertEquals(rgb(0.3730, 0.2499, 0.2088), img.getRGB(1, 0) & 0xffffff);
        BufferedImage sd15 = LinearLatentPreview.of(Pipeline.Family.SD15).render(z);
        assertEquals(rgb(0.298, 0.207, 0.208), sd15.getRGB(0, 0) & 0xffffff);
    }

    static int rgb(double r, double g, double b) {
        return (to8(r) << 16) | (to8(g) << 8) | to8(b);
    }

    static int to8(double v) {
        return Math.round((float) Math.min(1, Math.max(0, v * 0.5 + 0.5)) * 255f);
    }

    /** A stand-in tiny autoencoder: decodes to mid grey at 8x the latent size. */
    static final class FakeTiny implements LatentAutoencoder {
        int decodes;

        @Override public Tensor decode(Tensor z) {
            decodes++;
            return Tensor.zeros(z.dim(0), 3, z.dim(2) * 8, z.dim(3) * 8);
        }
        @Override public Tensor[] encodeMoments(Tensor image) { throw new VegaException("none"); }
        @Override public Optional<Tensor> encodeLatents(Tensor image) { return Optional.empty(); }
        @Override public boolean tiny() { return true; }
        @Override public float scalingFactor() { return 1f; }
        @Override public int scaleFactor() { return 8; }
    }

    static DiffusionPipeline pipeline() {
        var info = new Pipeline.ModelInfo("fake", Pipeline.Family.SDXL, 8, 8, "Fake");
        SchedulerProvider sp = new SchedulerProvider() {
            @Override public SamplingScheduler create(String name) {
                return new DiffusionPipelineTest.FakeScheduler();
            }
            @Override public SamplingScheduler fromClass(String c, com.fasterxml.jackson.databind.JsonNode o) {
                return new DiffusionPipelineTest.FakeScheduler();
            }
        };
        return new DiffusionPipeline(info, new DiffusionPipelineTest.FakeEncoder(),
                new DiffusionPipelineTest.FakeUnet(), new DiffusionPipelineTest.FakeVae(), sp, null);
    }

    @Test
    void thePipelinePicksATinyAutoencoderElseTheLinearMapNeverTheFullVae() {
        DiffusionPipeline p = pipeline();
        assertInstanceOf(LinearLatentPreview.class, p.previewer());
        assertInstanceOf(TinyVaePreview.class, p.withPreviewAutoencoder(new FakeTiny()).previewer());
        assertInstanceOf(TinyVaePreview.class, p.withVae(new FakeTiny()).previewer());
        assertThrows(VegaException.class, () -> p.withPreviewAutoencoder(new DiffusionPipelineTest.FakeVae()));
    }

    @Test
    void previewsComeEveryNStepsAndAtTheLastAndChangeNoPixel() {
        GenerationRequest req = GenerationRequest.builder("x").steps(5).seed(3).size(16, 8).build();
        BufferedImage plain = pipeline().generate(req).images().get(0);
        FakeTiny tiny = new FakeTiny();
        List<Integer> steps = new ArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override public void onProgress(ProgressEvent event) {}
            @Override public int previewInterval() { return 2; }
            @Override public void onPreview(Preview preview) {
                steps.add(preview.step());
                assertEquals(5, preview.total());
                assertEquals(64, preview.image().getWidth()); // 8 latents (16 px / f 2) x the tiny decoder's 8
            }
        };
        BufferedImage withPreviews = pipeline().withPreviewAutoencoder(tiny).generate(req, listener,
                new Cancellation()).images().get(0);
        assertEquals(List.of(2, 4, 5), steps);
        assertEquals(3, tiny.decodes);
        assertArrayEquals(plain.getRGB(0, 0, 16, 8, null, 0, 16), withPreviews.getRGB(0, 0, 16, 8, null, 0, 16));
    }
}

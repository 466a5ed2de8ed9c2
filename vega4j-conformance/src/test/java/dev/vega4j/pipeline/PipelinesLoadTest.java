package dev.vega4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vega4j.VegaException;
import dev.vega4j.conformance.Golden;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.io.IOException;
import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API end to end on the tiny golden Vega: same seed and settings, same 8-bit image as diffusers. */
class PipelinesLoadTest {

    private static void assertSameImage(String caseFile, BufferedImage img) {
        Path f = Golden.root().resolve("cases/pipelines/" + caseFile);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            Tensor ref = sf.load("image"); // [1, H, W, 3] in [0, 1]
            int h = ref.dim(1), w = ref.dim(2);
            assertEquals(w, img.getWidth());
            assertEquals(h, img.getHeight());
            int worst = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = img.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        int ours = (rgb >> (16 - 8 * c)) & 0xff;
                        int theirs = (int) Math.rint(ref.get(0, y, x, c) * 255f);
                        worst = Math.max(worst, Math.abs(ours - theirs));
                    }
                }
            }
            assertTrue(worst <= 1, "8-bit images differ by up to " + worst);
        }
    }

    @Test
    void defaultsGiveTheModelsSchedulerAndSize() {
        try (Pipeline p = Pipelines.load(Golden.root().resolve("tiny-vega").toString())) {
            assertEquals(Pipeline.Family.SDXL, p.info().family());
            assertEquals(64, p.info().defaultWidth());
            assertEquals("Euler", p.info().defaultScheduler());
            GenerationResult r = p.generate(GenerationRequest.builder("a photo of a cat").steps(4).guidanceScale(5.0)
                    .seed(0).build());
            assertEquals("Euler", r.parameters().scheduler());
            assertSameImage("tiny-vega__euler_default_4steps.safetensors", r.images().get(0));

            GenerationResult k = p.generate(GenerationRequest.builder("a castle on a hill, sunset")
                    .negativePrompt("blurry, low quality").steps(5).guidanceScale(7.0).seed(42).size(96, 64)
                    .scheduler("DPM++ 2M Karras").build());
            assertSameImage("tiny-vega__dpmpp2m_karras_5steps_neg_96x64.safetensors", k.images().get(0));
        }
    }

    @Test
    void aDownloadWithOnlyFp16VariantFilesLoads(@TempDir Path tmp) throws IOException {
        Path src = Golden.root().resolve("tiny-sd15");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = src.relativize(f);
                String name = f.getFileName().toString();
                Path dst = tmp.resolve(rel.toString().replace(".safetensors", ".fp16.safetensors"));
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(f, name.endsWith(".safetensors") ? dst : tmp.resolve(rel));
                }
            }
        }
        try (Pipeline p = Pipelines.load(tmp.toString())) {
            assertEquals(Pipeline.Family.SD15, p.info().family());
            assertEquals("PNDM", p.info().defaultScheduler());
        }
    }

    @Test
    void missingModelsAndUnknownSchedulersAreReadableErrors() {
        VegaException e = assertThrows(VegaException.class, () -> Pipelines.load("/nonexistent/model"));
        assertTrue(e.getMessage().contains("/nonexistent/model"), e.getMessage());
        try (Pipeline p = Pipelines.load(Golden.root().resolve("tiny-sd15").toString())) {
            assertEquals(Pipeline.Family.SD15, p.info().family());
            VegaException s = assertThrows(VegaException.class, () -> p.generate(
                    GenerationRequest.builder("x").steps(1).scheduler("Warp Drive").build()));
            assertTrue(s.getMessage().contains("Warp Drive"), s.getMessage());
        }
    }
}

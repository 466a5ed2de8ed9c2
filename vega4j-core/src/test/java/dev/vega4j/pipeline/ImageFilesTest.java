package dev.vega4j.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
    @TempDir
    Path tmp;

    @Test
    void pngCarriesA1111ParametersLatin1AndUnicode() {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 4, 0x123456);
        var used = new GenerationResult.UsedParameters("a cat", "blurry", 25, 7.5, 42, "Euler", 8, 8, 1,
                "segmind-vega", null);
        String info = used.a1111Infotext();
        assertThat(info).isEqualTo("a cat\nNegative prompt: blurry\nSteps: 25, Sampler: Euler, CFG scale: 7.5, "
                + "Seed: 42, Size: 8x8, Model: segmind-vega");
        byte[] png = ImageFiles.png(img, info);
        assertThat(ImageFiles.readParameters(png)).isEqualTo(info);
        assertThat(ImageFiles.read(new ByteArrayInputStream(png), "x").getRGB(3, 4) & 0xffffff).isEqualTo(0x123456);
        String unicode = "富士山 at dawn 🌅\nSteps: 4";
        assertThat(ImageFiles.readParameters(ImageFiles.png(img, unicode))).isEqualTo(unicode);
    }

    @Test
    void writesAtomicallyAndRejectsNonImages() throws Exception {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        Path jpg = tmp.resolve("a.jpg");
        ImageFiles.write(img, "x", jpg);
        assertThat(Files.readAllBytes(jpg)).startsWith((byte) 0xFF, (byte) 0xD8);
        try (var files = Files.list(tmp)) {
            assertThat(files).containsExactly(jpg);
        }
        assertThatThrownBy(() -> ImageFiles.read(new ByteArrayInputStream("not an image".getBytes()), "init image"))
                .isInstanceOf(VegaException.class).hasMessageContaining("init image is not a readable image");
        assertThatThrownBy(() -> ImageFiles.read(tmp.resolve("missing.png")))
                .isInstanceOf(VegaException.class).hasMessageContaining("not found");
    }

    @Test
    void requestValidatesSizesAndDefaults() {
        GenerationRequest r = GenerationRequest.builder("x").build();
        assertThat(r.steps()).isEqualTo(25);
        assertThat(r.guidanceScale()).isEqualTo(7.5);
        assertThat(r.seed()).isEqualTo(-1);
        assertThatThrownBy(() -> GenerationRequest.builder("x").size(1000, 1001).build())
                .isInstanceOf(VegaException.class).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> GenerationRequest.builder("x").size(100000, 64).build())
                .isInstanceOf(VegaException.class).hasMessageContaining("between 8 and");
        assertThatThrownBy(() -> GenerationRequest.builder(null).build()).hasMessageContaining("prompt is required");
    }
}

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

    @Test
    void writtenImagesGetTheUsualPermissionsOfANewFile() throws Exception {
        // the atomic write once went through Files.createTempFile, leaving every image readable by its owner only
        Path reference = Files.createFile(tmp.resolve("reference"));
        Path png = tmp.resolve("image.png");
        ImageFiles.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "x", png);
        assertThat(Files.getPosixFilePermissions(png)).isEqualTo(Files.getPosixFilePermissions(reference));
    }

    @Test
    void checkWritableFailsUpFrontWithTheReasonAndLeavesNothingBehind() throws Exception {
        Path blocker = Files.writeString(tmp.resolve("notes.txt"), "keep me");
        assertThatThrownBy(() -> ImageFiles.checkWritable(blocker.resolve("out.png")))
                .isInstanceOf(VegaException.class).hasMessageContaining("exists and is not a folder");
        Files.createDirectory(tmp.resolve("dir.png"));
        assertThatThrownBy(() -> ImageFiles.checkWritable(tmp.resolve("dir.png")))
                .isInstanceOf(VegaException.class).hasMessageContaining("it is a folder");
        ImageFiles.checkWritable(tmp.resolve("new/sub/out.png"));
        assertThat(tmp.resolve("new/sub")).isEmptyDirectory();
        assertThat(Files.readString(blocker)).isEqualTo("keep me");
    }
}

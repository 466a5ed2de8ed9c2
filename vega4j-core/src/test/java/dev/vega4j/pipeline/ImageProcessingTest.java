package dev.vega4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageProcessingTest {
    @Test
    void lanczosKeepsConstantPlanesAndSameSizeIsACopy() {
        int[] plane = new int[12 * 10];
        java.util.Arrays.fill(plane, 77);
        int[] down = PilLanczos.resize(plane, 12, 10, 5, 7);
        int[] up = PilLanczos.resize(plane, 12, 10, 31, 17);
        for (int v : down) {
            assertEquals(77, v);
        }
        for (int v : up) {
            assertEquals(77, v);
        }
        int[] ramp = new int[16];
        for (int i = 0; i < 16; i++) {
            ramp[i] = i * 16;
        }
        assertArrayEquals(ramp, PilLanczos.resize(ramp, 4, 4, 4, 4));
    }

    @Test
    void preprocessNormalisesAndMaskBinarisesAtHalf() {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xff0080);
        Tensor t = VaeImageProcessor.preprocessImage(img, 8, 8);
        assertEquals(1f, t.get(0, 0, 0, 0));
        assertEquals(-1f, t.get(0, 1, 0, 0));
        assertEquals(2f * (128f / 255f) - 1f, t.get(0, 2, 0, 0));
        BufferedImage mask = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        mask.getRaster().setSample(1, 0, 0, 128);
        mask.getRaster().setSample(2, 0, 0, 127);
        Tensor m = VaeImageProcessor.preprocessMask(mask, 8, 8);
        assertEquals(1f, m.get(0, 0, 0, 1));
        assertEquals(0f, m.get(0, 0, 0, 2));
    }

    @Test
    void imagesRoundHalfToEvenLikeNumpy() {
        Tensor t = Tensor.zeros(1, 3, 1, 2);
        t.set(0.5f, 0, 0, 0, 0);
        t.set(1f, 0, 1, 0, 1);
        BufferedImage img = VaeImageProcessor.toImage(t, 0);
        assertEquals(128, (img.getRGB(0, 0) >> 16) & 0xff); // 127.5 rounds to the even 128
        assertEquals(255, (img.getRGB(1, 0) >> 8) & 0xff);
    }

    @Test
    void nearestMaskDownscaleTakesTopLeftSamples() {
        Tensor m = Tensor.zeros(1, 1, 4, 4);
        m.set(1f, 0, 0, 2, 2);
        Tensor d = LatentMasks.interpolateNearest(m, 2, 2);
        assertArrayEquals(new float[] {0, 0, 0, 1}, d.data());
    }
}

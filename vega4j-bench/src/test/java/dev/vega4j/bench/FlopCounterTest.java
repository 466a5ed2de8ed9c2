package dev.vega4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.io.checkpoint.CheckpointVariant;
import dev.vega4j.io.checkpoint.PipelineConfigs;
import org.junit.jupiter.api.Test;

class FlopCounterTest {
    private static UNetConfig unet(CheckpointVariant v) {
        return UNetConfig.fromJson(PipelineConfigs.bundled(v).json(PipelineConfigs.UNET), v.id());
    }

    @Test
    void vegaUNetAt1024Batch2Is5Point65Teraflops() {
        FlopCounter.Flops f = FlopCounter.unet(unet(CheckpointVariant.VEGA), 128, 128, 2, 77);
        // docs/cpu-performance: 5.65 TFLOP = conv3x3 2.99 + GEGLU 1.21 + linears 0.76 + self-attn 0.54 + conv1x1 0.13
        assertEquals(5.65, f.teraflops(), 5.65 * 0.01, f.toString());
        assertEquals(2.99, f.breakdown().get(FlopCounter.CONV3X3) / 1e12, 0.03);
        assertEquals(1.21, f.breakdown().get(FlopCounter.FEED_FORWARD) / 1e12, 0.015);
        assertEquals(0.54, f.breakdown().get(FlopCounter.SELF_ATTENTION) / 1e12, 0.01);
        assertEquals(0.13, f.breakdown().get(FlopCounter.CONV1X1) / 1e12, 0.01);
        assertEquals(0.02, f.breakdown().get(FlopCounter.CROSS_ATTENTION) / 1e12, 0.005);
    }

    @Test
    void vegaUNetAt512Batch2IsAQuarterOfTheLinearWorkAndASixteenthOfTheSelfAttention() {
        UNetConfig c = unet(CheckpointVariant.VEGA);
        FlopCounter.Flops f1024 = FlopCounter.unet(c, 128, 128, 2, 77);
        FlopCounter.Flops f512 = FlopCounter.unet(c, 64, 64, 2, 77);
        double self = f1024.breakdown().get(FlopCounter.SELF_ATTENTION);
        // not exactly: the cross-attention's K/V projections of the 77 context tokens and the time embedding cost the
        // same at any size (1.2% of the 512² step)
        assertEquals((f1024.total() - self) / 4 + self / 16, f512.total(), f512.total() * 0.015);
        assertEquals(1.326, f512.teraflops(), 0.005, f512.toString());
        assertEquals(self / 16, f512.breakdown().get(FlopCounter.SELF_ATTENTION), self * 1e-9);
    }

    @Test
    void countsScaleWithBatchAndPixels() {
        UNetConfig c = unet(CheckpointVariant.VEGA);
        double b1 = FlopCounter.unet(c, 64, 64, 1, 77).total();
        double b2 = FlopCounter.unet(c, 64, 64, 2, 77).total();
        assertEquals(2 * b1, b2, b2 * 1e-9);
        // self-attention is quadratic in pixels, everything else linear: 4x the pixels is a bit more than 4x the work
        double big = FlopCounter.unet(c, 128, 128, 1, 77).total();
        assertTrue(big > 4 * b1 && big < 5 * b1, big / b1 + "x");
    }

    @Test
    void sdxlIsHeavierThanVegaAndSd15CountsItsConvProjections() {
        double vega = FlopCounter.unet(unet(CheckpointVariant.VEGA), 128, 128, 2, 77).total();
        double sdxl = FlopCounter.unet(unet(CheckpointVariant.SDXL), 128, 128, 2, 77).total();
        assertTrue(sdxl > 1.8 * vega && sdxl < 3 * vega, sdxl / vega + "x");
        FlopCounter.Flops sd15 = FlopCounter.unet(unet(CheckpointVariant.SD15), 64, 64, 2, 77);
        assertTrue(sd15.breakdown().get(FlopCounter.CONV1X1) > 0);
        assertTrue(sd15.breakdown().get(FlopCounter.SELF_ATTENTION) > 0);
    }

    @Test
    void clipTextByHand() {
        ClipTextConfig c = ClipTextConfig.fromJson(
                PipelineConfigs.bundled(CheckpointVariant.SDXL).json(PipelineConfigs.TEXT_ENCODER), "te");
        // CLIP ViT-L: 12 layers, h 768, ffn 3072, 77 tokens
        double n = 77, h = 768, f = 3072;
        double expected = 12 * (8 * n * h * h + 4 * n * n * h + 4 * n * h * f);
        assertEquals(expected, FlopCounter.clipText(c, 77, 1).total(), expected * 1e-12);
    }

    @Test
    void vaeDecodeGrowsWithTheImage() {
        VaeConfig c = VaeConfig.fromJson(PipelineConfigs.bundled(CheckpointVariant.SDXL).json(PipelineConfigs.VAE),
                "vae");
        FlopCounter.Flops f512 = FlopCounter.vaeDecode(c, 64, 64, 1);
        FlopCounter.Flops f1024 = FlopCounter.vaeDecode(c, 128, 128, 1);
        // conv work is linear in pixels; the mid-block attention over all latent pixels is quadratic
        assertTrue(f1024.total() > 4 * f512.total());
        // the last conv_out (128 -> 3, 3x3) runs at full resolution
        assertTrue(f512.breakdown().get(FlopCounter.CONV3X3) > 2 * 128 * 3 * 9 * 512.0 * 512);
    }
}

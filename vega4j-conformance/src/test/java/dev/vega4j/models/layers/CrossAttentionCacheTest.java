package dev.vega4j.models.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vega4j.conformance.Golden;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CrossAttentionCacheTest {
    @Test
    void stepsInsideAGenerationMatchUncachedOnesAndANewContextIsNeverStale() {
        UNet2DConditionModel unet = UNet2DConditionModel.load(Golden.root().resolve("tiny-vega/unet"));
        var c = unet.config();
        Tensor sample = random(1, 2, c.inChannels(), 8, 8);
        Tensor ctx = random(2, 2, 77, c.crossAttentionDim()[0]);
        Tensor ctx2 = random(3, 2, 77, c.crossAttentionDim()[0]);
        int pooled = c.projectionClassEmbeddingsInputDim() - 6 * c.additionTimeEmbedDim();
        var added = new UNet2DConditionModel.AddedConditions(random(4, 2, pooled),
                Tensor.of(new float[] {64, 64, 0, 0, 64, 64, 64, 64, 0, 0, 64, 64}, 2, 6));

        float[] plain1 = unet.forward(sample, 999f, ctx, added).data();
        float[] plain2 = unet.forward(sample, 999f, ctx2, added).data();
        assertFalse(CrossAttentionCache.active());
        float[][] cached = CrossAttentionCache.during(() -> {
            assertTrue(CrossAttentionCache.active());
            float[] a = unet.forward(sample, 999f, ctx, added).data();
            float[] b = unet.forward(sample, 500f, ctx, added).data(); // second step: K/V from the cache
            float[] d = unet.forward(sample, 999f, ctx2, added).data(); // another prompt: projected anew
            return new float[][] {a, b, d};
        });
        assertArrayEquals(plain1, cached[0]);
        assertArrayEquals(unet.forward(sample, 500f, ctx, added).data(), cached[1]);
        assertArrayEquals(plain2, cached[2]);
    }

    private static Tensor random(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }
}

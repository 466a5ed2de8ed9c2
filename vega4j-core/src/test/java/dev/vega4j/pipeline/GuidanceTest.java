package dev.vega4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vega4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GuidanceTest {
    @Test
    void cfgMovesFromUncondTowardsText() {
        Tensor out = Tensor.of(new float[] {1, 2, 3, 5}, 2, 2); // uncond [1,2], text [3,5]
        Tensor g = Guidance.apply(out, 2.0, 0.0);
        assertArrayEquals(new float[] {5, 8}, g.data());
    }

    @Test
    void enabledOnlyAboveOne() {
        assertFalse(Guidance.enabled(1.0));
        assertFalse(Guidance.enabled(0.5));
        assertTrue(Guidance.enabled(1.01));
    }

    @Test
    void fullRescaleMatchesTheTextStandardDeviation() {
        Tensor cfg = Tensor.of(new float[] {0, 4, 8, 12}, 1, 4);
        Tensor text = Tensor.of(new float[] {0, 1, 2, 3}, 1, 4);
        Tensor r = Guidance.rescale(cfg, text, 1.0);
        assertEquals(Guidance.std(text.data(), 0, 4), Guidance.std(r.data(), 0, 4), 1e-6);
        Tensor none = Guidance.rescale(cfg, text, 0.0);
        assertArrayEquals(cfg.data(), none.data());
    }
}

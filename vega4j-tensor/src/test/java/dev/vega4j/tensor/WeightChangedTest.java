package dev.vega4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A weight changed in place (LoRA fusion) must not be served from the packed-weight cache afterwards. */
class WeightChangedTest {
    @Test
    void weightChangedDropsThePackedCopy() {
        Random r = new Random(3);
        Tensor w = Tensor.zeros(24, 40), x = Tensor.zeros(5, 40);
        for (float[] d : new float[][] {w.data(), x.data()}) {
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) r.nextGaussian();
            }
        }
        VectorOps ops = new VectorOps(1, true);
        Tensor before = ops.linear(x, w, null);
        for (int i = 0; i < w.numel(); i++) {
            w.data()[i] *= 2f;
        }
        ops.weightChanged(w);
        Tensor after = ops.linear(x, w, null);
        for (int i = 0; i < before.numel(); i++) {
            assertThat(after.data()[i]).isEqualTo(2f * before.data()[i]);
        }
    }
}

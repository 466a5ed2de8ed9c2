package dev.vega4j.tensor;

import static dev.vega4j.tensor.OpsAssert.random;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The same inputs through VectorOps with 1, 2 and 3 threads give the same bits. */
class ThreadCountDeterminismTest {

    @Test
    void everyOpIsBitIdenticalAcrossThreadCounts() {
        Random r = new Random(7);
        Tensor x = random(r, 150, 97);
        Tensor w = random(r, 70, 97);
        Tensor b = random(r, 70);
        Tensor img = random(r, 2, 9, 23, 21);
        Tensor cw = random(r, 26, 9, 3, 3);
        Tensor cb = random(r, 26);
        Tensor pw = random(r, 13, 9, 1, 1);
        Tensor q = random(r, 2, 140, 4 * 24);
        Tensor k = random(r, 2, 140, 4 * 24);
        Tensor v = random(r, 2, 140, 4 * 24);
        Tensor ma = random(r, 3, 40, 50);
        Tensor mb = random(r, 3, 50, 45);
        Tensor big = random(r, 2, 32, 40, 40);
        Tensor g = random(r, 32), be = random(r, 32);
        Tensor rows = random(r, 300, 320);
        List<Function<TensorOps, Tensor>> ops = new ArrayList<>();
        ops.add(o -> o.linear(x, w, b));
        ops.add(o -> o.matmul(ma, mb));
        ops.add(o -> o.conv2d(img, cw, cb, 1, 1));
        ops.add(o -> o.conv2d(img, cw, cb, 2, 1));
        ops.add(o -> o.conv2d(img, pw, null, 1, 0));
        ops.add(o -> o.attention(q, k, v, 4, 0.2f, false));
        ops.add(o -> o.attention(q, k, v, 4, 0.2f, true));
        ops.add(o -> o.groupNorm(big, 8, g, be, 1e-5f, true));
        ops.add(o -> o.layerNorm(rows, null, null, 1e-5f));
        ops.add(o -> o.softmax(rows));
        ops.add(o -> o.gelu(big));
        ops.add(o -> o.geglu(rows));
        ops.add(o -> o.nchwToNlc(big));
        List<Tensor> one = run(new VectorOps(1), ops);
        for (int threads : new int[] {2, 3}) {
            List<Tensor> many = run(new VectorOps(threads), ops);
            for (int i = 0; i < ops.size(); i++) {
                OpsAssert.assertSameBits("op #" + i + " with " + threads + " threads", many.get(i), one.get(i));
            }
        }
    }

    private static List<Tensor> run(TensorOps ops, List<Function<TensorOps, Tensor>> fns) {
        List<Tensor> out = new ArrayList<>();
        for (Function<TensorOps, Tensor> f : fns) {
            out.add(f.apply(ops));
        }
        return out;
    }
}

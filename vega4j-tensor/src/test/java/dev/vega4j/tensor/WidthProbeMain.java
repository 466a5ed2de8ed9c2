package dev.vega4j.tensor;

import dev.vega4j.tensor.kernels.FixedOrderSums;
import dev.vega4j.tensor.kernels.GemmKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Run in a forked JVM by {@link VectorWidthDeterminismTest}: computes the width-sensitive ops (reductions and the
 * activations next to them) on awkward shapes from a fixed seed with 1, 2 and 3 threads and prints, per op, a hash
 * of the output bits. Output lines: {@code lanes <L>}, then {@code <op> <threads> <hash>}.
 */
public final class WidthProbeMain {
    private WidthProbeMain() {}

    public static void main(String[] args) {
        System.out.println("lanes " + GemmKernels.L);
        List<String> names = new ArrayList<>();
        List<Function<TensorOps, Tensor>> ops = new ArrayList<>();
        Random r = new Random(42);
        // row lengths around the vector widths and the 256-element block of FixedOrderSums
        for (int c : new int[] {1, 7, 15, 17, 33, 255, 256, 257, 640, 1000, 4099}) {
            Tensor x = spread(r, 5, c), g = spread(r, c), b = spread(r, c);
            names.add("layerNorm/" + c);
            ops.add(o -> o.layerNorm(x, g, b, 1e-5f));
            names.add("layerNormPlain/" + c);
            ops.add(o -> o.layerNorm(x, null, null, 1e-6f));
            names.add("layerNormGammaOnly/" + c);
            ops.add(o -> o.layerNorm(x, g, null, 1e-6f));
            names.add("softmax/" + c);
            ops.add(o -> o.softmax(x));
        }
        // groups of 3 channels x spatial: per-group lengths 3·{1, 23, 85, 121, 1369}
        for (int hw : new int[] {1, 23, 85, 121, 1369}) {
            int s = (int) Math.round(Math.sqrt(hw));
            int h = s * s == hw ? s : 1, w = s * s == hw ? s : hw;
            Tensor x = spread(r, 2, 12, h, w), g = spread(r, 12), b = spread(r, 12);
            names.add("groupNorm/" + hw);
            ops.add(o -> o.groupNorm(x, 4, g, b, 1e-5f, false));
            names.add("groupNormSilu/" + hw);
            ops.add(o -> o.groupNorm(x, 4, g, b, 1e-5f, true));
            names.add("groupNormPlain/" + hw);
            ops.add(o -> o.groupNorm(x, 4, null, null, 1e-6f, true));
        }
        for (int d : new int[] {1, 13, 640, 1029}) {
            Tensor x = spread(r, 3, 2 * d);
            names.add("geglu/" + d);
            ops.add(o -> o.geglu(x));
            names.add("gelu/" + d);
            ops.add(o -> o.gelu(x));
            names.add("silu/" + d);
            ops.add(o -> o.silu(x));
            names.add("geluTanh/" + d);
            ops.add(o -> o.geluTanh(x));
            names.add("quickGelu/" + d);
            ops.add(o -> o.quickGelu(x));
        }
        Tensor big = spread(r, 40_000 + 3), big2 = spread(r, 40_000 + 3);
        names.add("add");
        ops.add(o -> o.add(big, big2));
        names.add("mul");
        ops.add(o -> o.mul(big, big2));
        names.add("scale");
        ops.add(o -> o.scale(big, 0.37f));
        // the sums themselves, every length up to 600 and a long one, as tensors of one element per length
        names.add("sums");
        ops.add(o -> sums(big));
        for (int threads : new int[] {1, 2, 3}) {
            VectorOps ops1 = new VectorOps(threads);
            for (int i = 0; i < ops.size(); i++) {
                System.out.println(names.get(i) + " " + threads + " " + hash(ops.get(i).apply(ops1)));
            }
        }
    }

    private static Tensor sums(Tensor x) {
        float[] a = x.data();
        Tensor out = Tensor.zeros(2 * 602);
        float[] o = out.data();
        for (int len = 0; len <= 601; len++) {
            int n = len == 601 ? a.length - 5 : len;
            o[2 * len] = (float) FixedOrderSums.sum(a, 5, n);
            o[2 * len + 1] = (float) FixedOrderSums.sumSquaredDeviation(a, 5, n, 0.25f);
        }
        return out;
    }

    /** Gaussian values with a per-row offset and scale, so means and variances are not trivial. */
    private static Tensor spread(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (r.nextGaussian() * (1 + (i % 7)) + (i % 13) * 0.3);
        }
        return t;
    }

    /** FNV-1a over the shape and the raw bits. */
    static long hash(Tensor t) {
        long h = 0xcbf29ce484222325L;
        for (int s : t.shape()) {
            h = (h ^ s) * 0x100000001b3L;
        }
        for (float v : t.data()) {
            h = (h ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
        }
        return h;
    }
}

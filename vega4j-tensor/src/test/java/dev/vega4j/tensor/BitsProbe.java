package dev.vega4j.tensor;

import static dev.vega4j.tensor.OpsAssert.random;

import dev.vega4j.tensor.kernels.FixedOrderSums;
import dev.vega4j.tensor.kernels.GemmKernels;
import dev.vega4j.tensor.kernels.Lanes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Run in a child JVM by {@link SameBitsEverywhereTest}: every op kind on awkward shapes (not multiples of any tile or
 * vector), and the width-sensitive reductions at lengths around the vector widths, with 1, 2 and 3 threads, printed
 * as one SHA-256 of the output bits per op. Children differ in
 * {@code -Dvega.kernels}, {@code -Dvega.gemmBlocking} and {@code -XX:MaxVectorSize}; the test compares what they print.
 */
public final class BitsProbe {
    private BitsProbe() {}

    /** Op name to the function computing it, on fixed random inputs. */
    static Map<String, Function<TensorOps, Tensor>> ops() {
        Random r = new Random(11);
        Tensor x = random(r, 151, 97), w = random(r, 70, 97), b = random(r, 70);
        Tensor img = random(r, 2, 9, 23, 21), cw = random(r, 26, 9, 3, 3), cb = random(r, 26);
        Tensor pw = random(r, 13, 9, 1, 1), wide = random(r, 1, 9, 40, 70);
        Tensor q = random(r, 2, 141, 2 * 40), k = random(r, 2, 203, 2 * 40), v = random(r, 2, 203, 2 * 40);
        Tensor qs = random(r, 1, 230, 3 * 24), ks = random(r, 1, 230, 3 * 24), vs = random(r, 1, 230, 3 * 24);
        Tensor ma = random(r, 3, 40, 50), mb = random(r, 3, 50, 45);
        Tensor big = random(r, 2, 32, 17, 19), g = random(r, 32), be = random(r, 32);
        Tensor rows = random(r, 37, 333), lg = random(r, 333), lb = random(r, 333);
        Tensor xl = random(r, 211, 1100), wl = random(r, 70, 1100); // several K blocks and row blocks of any blocking
        // convolutions over more input channels than any K block: Winograd, implicit GEMM and 1x1 cross K blocks
        Tensor deep = random(r, 1, 600, 9, 11), dw = random(r, 8, 600, 3, 3), dp = random(r, 8, 600, 1, 1);
        Map<String, Function<TensorOps, Tensor>> ops = new LinkedHashMap<>();
        ops.put("linear", o -> o.linear(x, w, b));
        ops.put("linear/long", o -> o.linear(xl, wl, b));
        ops.put("matmul", o -> o.matmul(ma, mb));
        ops.put("conv3x3", o -> o.conv2d(img, cw, cb, 1, 1));
        ops.put("conv3x3/wide", o -> o.conv2d(wide, cw, cb, 1, 1)); // interior tiles: Winograd's fast paths
        ops.put("conv3x3/2", o -> o.conv2d(img, cw, cb, 2, 1));
        ops.put("conv1x1", o -> o.conv2d(img, pw, null, 1, 0));
        ops.put("conv3x3/deep", o -> o.conv2d(deep, dw, null, 1, 1));
        ops.put("conv3x3/2/deep", o -> o.conv2d(deep, dw, null, 2, 1));
        ops.put("conv1x1/deep", o -> o.conv2d(deep, dp, null, 1, 0));
        ops.put("attention", o -> o.attention(q, k, v, 2, 0.15f, false));
        ops.put("attention/causal", o -> o.attention(qs, ks, vs, 3, 0.2f, true));
        ops.put("groupNorm+silu", o -> o.groupNorm(big, 8, g, be, 1e-5f, true));
        ops.put("layerNorm", o -> o.layerNorm(rows, lg, lb, 1e-5f));
        ops.put("softmax", o -> o.softmax(rows));
        ops.put("gelu", o -> o.gelu(big));
        ops.put("geglu", o -> o.geglu(random(new Random(3), 37, 2 * 333)));
        widthSensitive(ops);
        return ops;
    }

    /**
     * The reductions and the activations next to them at lengths around the vector widths and the 256-element block
     * of {@link FixedOrderSums}, and the sums themselves.
     */
    private static void widthSensitive(Map<String, Function<TensorOps, Tensor>> ops) {
        Random r = new Random(42);
        for (int c : new int[] {1, 7, 15, 17, 33, 255, 256, 257, 640, 1000, 4099}) {
            Tensor x = spread(r, 5, c), g = spread(r, c), b = spread(r, c);
            ops.put("layerNorm/" + c, o -> o.layerNorm(x, g, b, 1e-5f));
            ops.put("layerNormPlain/" + c, o -> o.layerNorm(x, null, null, 1e-6f));
            ops.put("layerNormGammaOnly/" + c, o -> o.layerNorm(x, g, null, 1e-6f));
            ops.put("softmax/" + c, o -> o.softmax(x));
        }
        // groups of 3 channels x spatial: per-group lengths 3·{1, 23, 85, 121, 1369}
        for (int hw : new int[] {1, 23, 85, 121, 1369}) {
            int s = (int) Math.round(Math.sqrt(hw));
            int h = s * s == hw ? s : 1, w = s * s == hw ? s : hw;
            Tensor x = spread(r, 2, 12, h, w), g = spread(r, 12), b = spread(r, 12);
            ops.put("groupNorm/" + hw, o -> o.groupNorm(x, 4, g, b, 1e-5f, false));
            ops.put("groupNormSilu/" + hw, o -> o.groupNorm(x, 4, g, b, 1e-5f, true));
            ops.put("groupNormPlain/" + hw, o -> o.groupNorm(x, 4, null, null, 1e-6f, true));
        }
        for (int d : new int[] {1, 13, 640, 1029}) {
            Tensor x = spread(r, 3, 2 * d);
            ops.put("geglu/" + d, o -> o.geglu(x));
            ops.put("gelu/" + d, o -> o.gelu(x));
            ops.put("silu/" + d, o -> o.silu(x));
            ops.put("geluTanh/" + d, o -> o.geluTanh(x));
            ops.put("quickGelu/" + d, o -> o.quickGelu(x));
        }
        Tensor big = spread(r, 40_000 + 3), big2 = spread(r, 40_000 + 3);
        ops.put("add", o -> o.add(big, big2));
        ops.put("mul", o -> o.mul(big, big2));
        ops.put("scale", o -> o.scale(big, 0.37f));
        ops.put("sums", o -> sums(big));
    }

    /** FixedOrderSums over every length up to 600 and a long one, as a tensor of two values per length. */
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

    public static void main(String[] args) throws Exception {
        System.out.println("kernel " + GemmKernels.K.shape() + " lanes " + Lanes.L);
        VectorOps[] teams = {new VectorOps(1), new VectorOps(2), new VectorOps(3)};
        for (var e : ops().entrySet()) {
            String one = sha(e.getValue().apply(teams[0]));
            StringBuilder line = new StringBuilder("op " + e.getKey() + " " + one);
            for (int t = 1; t < teams.length; t++) {
                String other = sha(e.getValue().apply(teams[t]));
                if (!other.equals(one)) {
                    line.append(" threads-differ ").append(t + 1).append(' ').append(other);
                }
            }
            System.out.println(line);
        }
    }

    static String sha(Tensor t) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocate(t.numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : t.data()) {
            buf.putInt(Float.floatToRawIntBits(f));
        }
        md.update(buf.array());
        return HexFormat.of().formatHex(md.digest(), 0, 8);
    }
}

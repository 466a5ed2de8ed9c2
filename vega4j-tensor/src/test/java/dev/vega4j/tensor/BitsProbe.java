package dev.vega4j.tensor;

import static dev.vega4j.tensor.OpsAssert.random;

import dev.vega4j.tensor.kernels.GemmKernels;
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
 * vector), with 1 and 3 threads, printed as one SHA-256 of the output bits per op. Children differ in
 * {@code -Dvega.kernels} and {@code -XX:MaxVectorSize}; the test compares what they print.
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
        Map<String, Function<TensorOps, Tensor>> ops = new LinkedHashMap<>();
        ops.put("linear", o -> o.linear(x, w, b));
        ops.put("matmul", o -> o.matmul(ma, mb));
        ops.put("conv3x3", o -> o.conv2d(img, cw, cb, 1, 1));
        ops.put("conv3x3/wide", o -> o.conv2d(wide, cw, cb, 1, 1)); // interior tiles: Winograd's fast paths
        ops.put("conv3x3/2", o -> o.conv2d(img, cw, cb, 2, 1));
        ops.put("conv1x1", o -> o.conv2d(img, pw, null, 1, 0));
        ops.put("attention", o -> o.attention(q, k, v, 2, 0.15f, false));
        ops.put("attention/causal", o -> o.attention(qs, ks, vs, 3, 0.2f, true));
        ops.put("groupNorm+silu", o -> o.groupNorm(big, 8, g, be, 1e-5f, true));
        ops.put("layerNorm", o -> o.layerNorm(rows, lg, lb, 1e-5f));
        ops.put("softmax", o -> o.softmax(rows));
        ops.put("gelu", o -> o.gelu(big));
        ops.put("geglu", o -> o.geglu(random(new Random(3), 37, 2 * 333)));
        return ops;
    }

    public static void main(String[] args) throws Exception {
        System.out.println("kernel " + GemmKernels.K.shape() + " lanes " + GemmKernels.L);
        for (var e : ops().entrySet()) {
            String one = sha(e.getValue().apply(new VectorOps(1)));
            String three = sha(e.getValue().apply(new VectorOps(3)));
            System.out.println("op " + e.getKey() + " " + one + (one.equals(three) ? "" : " threads-differ " + three));
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

package dev.vega4j.tensor;

import dev.vega4j.tensor.kernels.Attention;
import dev.vega4j.tensor.kernels.Conv;
import dev.vega4j.tensor.kernels.FixedOrderSums;
import dev.vega4j.tensor.kernels.Gemm;
import dev.vega4j.tensor.kernels.MappedPanels;
import dev.vega4j.tensor.kernels.PackCache;
import dev.vega4j.tensor.kernels.Parallel;
import dev.vega4j.tensor.kernels.VMath;
import dev.vega4j.tensor.kernels.Winograd;
import dev.vega4j.tensor.kernels.WinogradTransform;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast {@link TensorOps}: Vector API (jdk.incubator.vector) kernels on a fixed team of threads. GEMM-shaped ops
 * (linear, matmul, conv2d, attention) run through packed, cache-blocked microkernels (see
 * {@link dev.vega4j.tensor.kernels.Gemm}); norms and activations are vectorised single passes.
 *
 * <p>Results are bit-identical for every thread count: each output element is computed by one task with a reduction
 * order that does not depend on how the work was split. They differ from {@link ReferenceOps} (double accumulation)
 * by float rounding only.
 */
public final class VectorOps implements TensorOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elementwise work below this many elements runs on the calling thread. */
    private static final int PAR_MIN = 1 << 15;
    /** Elements per task of elementwise ops (a multiple of every vector length). */
    private static final int CHUNK = 1 << 14;

    private final Parallel par;
    private final PackCache cache;
    /** 3x3 stride-1 convolutions by Winograd with this transform; null = implicit GEMM for every convolution. */
    private final WinogradTransform winograd;

    /** Sized by {@code -Dvega.threads=N}, else the number of available processors ({@link Switches}). */
    public VectorOps() {
        this(Switches.get().threads());
    }

    /** A team of {@code threads}; the packed-weight cache follows {@code -Dvega.packCache} (default off). */
    public VectorOps(int threads) {
        this(threads, Switches.get().packCache());
    }

    /**
     * @param packCache keep packed weight panels per weight array (weakly) so repeated calls skip repacking; costs
     *                  memory equal to the weights used, and must stay off while weights are modified in place
     */
    public VectorOps(int threads, boolean packCache) {
        this(new Parallel(threads), new PackCache(packCache), Switches.get().winograd());
    }

    private VectorOps(Parallel par, PackCache cache, WinogradTransform winograd) {
        this.par = par;
        this.cache = cache;
        this.winograd = winograd;
    }

    /**
     * The same ops (sharing this instance's threads and cache) with 3x3 stride-1 convolutions computed by Winograd
     * with {@code tf}, or by implicit GEMM when tf is null: for A/B measurements and accuracy checks.
     */
    public VectorOps withWinograd(WinogradTransform tf) {
        return new VectorOps(par, cache, tf);
    }

    /** The Winograd transform 3x3 stride-1 convolutions use, or null when they run as implicit GEMM. */
    public WinogradTransform winograd() {
        return winograd;
    }

    public int threads() {
        return par.threads();
    }

    /** CPU nanoseconds used so far by this instance's worker threads plus the calling thread (for benchmarks). */
    public long teamCpuNanos() {
        return par.cpuNanos();
    }

    // ---------------------------------------------------------------- GEMM family

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int k = x.dim(-1);
        if (weight.rank() != 2 || weight.dim(1) != k) {
            throw new IllegalArgumentException("linear: x " + x + " vs weight " + weight);
        }
        int n = weight.dim(0);
        if (bias != null && bias.numel() != n) {
            throw new IllegalArgumentException("linear: bias " + bias + " for " + n + " outputs");
        }
        int m = x.numel() / k;
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = n;
        Tensor y = Tensor.zeros(outShape);
        if (m == 0 || n == 0) {
            return y;
        }
        // a mapped weight (float32/fp16/bf16 file bytes) is read while it is packed (MappedPanels): same panels, no
        // float32 copy kept
        Gemm.PackedB wp = cache.packedB(weight, () -> weight.isMapped()
                ? MappedPanels.packTransposed(weight.mapped(), k, n, par)
                : Gemm.packTransposed(weight.data(), 0, k, n, par));
        float[] yd = y.data();
        Gemm.residentB(x.data(), 0, k, m, wp, bias == null ? null : bias.data(), yd, 0, n, par);
        return y;
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() != 3 || b.rank() != 3) {
            throw new IllegalArgumentException("matmul: " + a + " · " + b);
        }
        a = a.toFloat32(); // operands are activations; a mapped one (unusual) is read into an array first
        b = b.toFloat32();
        int batch = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (b.dim(1) != k || (b.dim(0) != batch && b.dim(0) != 1)) {
            throw new IllegalArgumentException("matmul: " + a + " · " + b);
        }
        Tensor y = Tensor.zeros(batch, m, n);
        if (m == 0 || n == 0 || batch == 0) {
            return y;
        }
        Gemm.PackedB shared = b.dim(0) == 1 ? Gemm.packRowMajor(b.data(), 0, k, n, n, par) : null;
        for (int bi = 0; bi < batch; bi++) {
            Gemm.PackedB bp = shared != null ? shared : Gemm.packRowMajor(b.data(), bi * k * n, k, n, n, par);
            Gemm.residentB(a.data(), bi * m * k, k, m, bp, null, y.data(), bi * m * n, n, par);
        }
        return y;
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        if (x.rank() != 4 || weight.rank() != 4) {
            throw new IllegalArgumentException("conv2d: input " + x + " vs weight " + weight);
        }
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int o = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
        if (weight.dim(1) != c) {
            throw new IllegalArgumentException("conv2d: input " + x + " vs weight " + weight);
        }
        if (stride < 1 || padding < 0) {
            throw new IllegalArgumentException("conv2d: stride " + stride + ", padding " + padding);
        }
        if (bias != null && bias.numel() != o) {
            throw new IllegalArgumentException("conv2d: bias " + bias + " for " + o + " output channels");
        }
        int oh = (h + 2 * padding - kh) / stride + 1;
        int ow = (w + 2 * padding - kw) / stride + 1;
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("conv2d: kernel " + kh + "x" + kw + " larger than padded input " + x);
        }
        Tensor y = Tensor.zeros(n, o, oh, ow);
        int ckk = c * kh * kw;
        if (ckk == 0) {
            // nothing to reduce: the output is the bias alone
            if (bias != null) {
                int plane = oh * ow;
                for (int p = 0; p < n * o; p++) {
                    Arrays.fill(y.data(), p * plane, (p + 1) * plane, bias.data()[p % o]);
                }
            }
            return y;
        }
        float[] yd = y.data();
        if (winograd != null && Winograd.applies(kh, kw, stride, padding)) {
            // a mapped weight is read (exactly) into float32 for the transform: one copy per call, dropped after
            Winograd.PackedWeights wp = cache.winograd(weight, winograd,
                    () -> Winograd.packWeights(weight.toFloat32().data(), 0, o, c, winograd, par));
            Winograd.conv2d(x.data(), n, c, h, w, wp, bias == null ? null : bias.data(), yd, par);
            return y;
        }
        // a mapped weight (float32/fp16/bf16 file bytes) is read while it is packed (MappedPanels): same panels, no
        // float32 copy kept
        Gemm.PackedA wp = cache.packedA(weight, () -> weight.isMapped()
                ? MappedPanels.packA(weight.mapped(), o, ckk, par)
                : Gemm.packA(weight.data(), 0, o, ckk, ckk, par));
        Conv.conv2d(x.data(), n, c, h, w, wp, bias == null ? null : bias.data(), kh, kw, stride, padding, yd, oh, ow,
                par);
        return y;
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, float scale, boolean causal) {
        if (q.rank() != 3 || k.rank() != 3 || v.rank() != 3) {
            throw new IllegalArgumentException("attention: q " + q + " k " + k + " v " + v + " heads " + heads);
        }
        int b = q.dim(0), tq = q.dim(1), inner = q.dim(2), tk = k.dim(1);
        if (heads <= 0 || inner % heads != 0 || k.dim(2) != inner || v.dim(2) != inner || v.dim(1) != tk
                || k.dim(0) != b || v.dim(0) != b) {
            throw new IllegalArgumentException("attention: q " + q + " k " + k + " v " + v + " heads " + heads);
        }
        Tensor y = Tensor.zeros(b, tq, inner);
        if (tq == 0 || tk == 0 || b == 0) {
            return y;
        }
        Attention.attention(q.data(), k.data(), v.data(), y.data(), b, tq, tk, heads, inner / heads, scale, causal,
                par);
        return y;
    }

    // ---------------------------------------------------------------- normalisation

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, float eps, boolean silu) {
        int n = x.dim(0), c = x.dim(1);
        if (groups <= 0 || c % groups != 0) {
            throw new IllegalArgumentException("groupNorm: " + c + " channels not divisible by " + groups + " groups");
        }
        if ((gamma != null && gamma.numel() != c) || (beta != null && beta.numel() != c)) {
            throw new IllegalArgumentException("groupNorm: affine parameters do not match " + c + " channels");
        }
        int spatial = x.numel() / Math.max(1, n * c);
        int cpg = c / groups;
        int perGroup = cpg * spatial;
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        float[] gd = gamma == null ? null : gamma.data(), bd = beta == null ? null : beta.data();
        par.forEach(n * groups, t -> {
            int g = t % groups;
            int base = t * perGroup;
            double mean = FixedOrderSums.sum(xd, base, perGroup) / perGroup;
            float meanF = (float) mean;
            double var = FixedOrderSums.sumSquaredDeviation(xd, base, perGroup, meanF) / perGroup;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            for (int ci = 0; ci < cpg; ci++) {
                int ch = g * cpg + ci;
                float a = gd == null ? inv : inv * gd[ch];
                float sh = bd == null ? 0f : bd[ch];
                normalize(xd, yd, base + ci * spatial, spatial, meanF, a, sh, silu);
            }
        });
        return y;
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int c = x.dim(-1);
        int rows = c == 0 ? 0 : x.numel() / c;
        if ((gamma != null && gamma.numel() != c) || (beta != null && beta.numel() != c)) {
            throw new IllegalArgumentException("layerNorm: affine parameters do not match " + c + " features");
        }
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        float[] gd = gamma == null ? null : gamma.data(), bd = beta == null ? null : beta.data();
        forRowsOf(rows, c, (r0, r1) -> {
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                layerNorm4(xd, yd, r * c, c, eps, gd, bd);
            }
            for (; r < r1; r++) {
                int base = r * c;
                double mean = FixedOrderSums.sum(xd, base, c) / c;
                float meanF = (float) mean;
                double var = FixedOrderSums.sumSquaredDeviation(xd, base, c, meanF) / c;
                layerNormRow(xd, yd, base, c, meanF, (float) (1.0 / Math.sqrt(var + eps)), gd, bd);
            }
        });
        return y;
    }

    /**
     * Four consecutive layerNorm rows from {@code base}, each with exactly the statistics of the one-row path
     * ({@link FixedOrderSums#sum} order); the rows' scalar double tails run interleaved, four independent chains of
     * adds instead of one (a 640-feature row's 128-element tail cost more than its vector part).
     */
    private static void layerNorm4(float[] x, float[] y, int base, int c, float eps, float[] g, float[] b) {
        int b0 = base, b1 = base + c, b2 = base + 2 * c, b3 = base + 3 * c;
        int tail = c / FixedOrderSums.BLOCK * FixedOrderSums.BLOCK;
        double s0 = FixedOrderSums.blockSum(x, b0, c), s1 = FixedOrderSums.blockSum(x, b1, c),
                s2 = FixedOrderSums.blockSum(x, b2, c), s3 = FixedOrderSums.blockSum(x, b3, c);
        for (int i = tail; i < c; i++) {
            s0 += x[b0 + i];
            s1 += x[b1 + i];
            s2 += x[b2 + i];
            s3 += x[b3 + i];
        }
        float m0 = (float) (s0 / c), m1 = (float) (s1 / c), m2 = (float) (s2 / c), m3 = (float) (s3 / c);
        double q0 = FixedOrderSums.blockSumSquaredDeviation(x, b0, c, m0),
                q1 = FixedOrderSums.blockSumSquaredDeviation(x, b1, c, m1),
                q2 = FixedOrderSums.blockSumSquaredDeviation(x, b2, c, m2),
                q3 = FixedOrderSums.blockSumSquaredDeviation(x, b3, c, m3);
        for (int i = tail; i < c; i++) {
            double d0 = x[b0 + i] - m0, d1 = x[b1 + i] - m1, d2 = x[b2 + i] - m2, d3 = x[b3 + i] - m3;
            q0 += d0 * d0;
            q1 += d1 * d1;
            q2 += d2 * d2;
            q3 += d3 * d3;
        }
        layerNormRow(x, y, b0, c, m0, (float) (1.0 / Math.sqrt(q0 / c + eps)), g, b);
        layerNormRow(x, y, b1, c, m1, (float) (1.0 / Math.sqrt(q1 / c + eps)), g, b);
        layerNormRow(x, y, b2, c, m2, (float) (1.0 / Math.sqrt(q2 / c + eps)), g, b);
        layerNormRow(x, y, b3, c, m3, (float) (1.0 / Math.sqrt(q3 / c + eps)), g, b);
    }

    private static void layerNormRow(float[] x, float[] y, int base, int c, float mean, float inv, float[] g,
            float[] b) {
        if (g != null && b != null) {
            normalizeAffine(x, y, base, c, mean, inv, g, b);
        } else {
            normalizeRow(x, y, base, c, mean, inv, g, b);
        }
    }

    @Override
    public Tensor softmax(Tensor x) {
        int c = x.dim(-1);
        int rows = c == 0 ? 0 : x.numel() / c;
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        forRowsOf(rows, c, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                softmaxRow(xd, yd, r * c, c);
            }
        });
        return y;
    }

    private static void softmaxRow(float[] xd, float[] yd, int base, int c) {
        int end = S.loopBound(c);
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < end; i += L) {
            mx = mx.max(FloatVector.fromArray(S, xd, base + i));
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (int i = end; i < c; i++) {
            max = Math.max(max, xd[base + i]);
        }
        FloatVector mv = FloatVector.broadcast(S, max);
        for (int i = 0; i < end; i += L) {
            VMath.expNonPositive(FloatVector.fromArray(S, xd, base + i).sub(mv)).intoArray(yd, base + i);
        }
        for (int i = end; i < c; i++) {
            yd[base + i] = VMath.exp(xd[base + i] - max);
        }
        // summed from the row just written (still in L1): an order that does not depend on the vector width
        double sum = FixedOrderSums.sum(yd, base, c);
        float inv = (float) (1.0 / sum);
        FloatVector iv = FloatVector.broadcast(S, inv);
        for (int i = 0; i < end; i += L) {
            FloatVector.fromArray(S, yd, base + i).mul(iv).intoArray(yd, base + i);
        }
        for (int i = end; i < c; i++) {
            yd[base + i] *= inv;
        }
    }

    /**
     * y = (x - mean)·a + shift over [off, off+len), optionally followed by SiLU. One loop per variant: a branch that
     * merges two vector values inside the loop makes C2 box them (measured 4 GB/s instead of memory speed).
     */
    private static void normalize(float[] x, float[] y, int off, int len, float mean, float a, float shift,
            boolean silu) {
        if (silu) {
            normalizeSilu(x, y, off, len, mean, a, shift);
            return;
        }
        FloatVector mv = FloatVector.broadcast(S, mean), av = FloatVector.broadcast(S, a),
                sv = FloatVector.broadcast(S, shift);
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += L) {
            FloatVector.fromArray(S, x, off + i).sub(mv).fma(av, sv).intoArray(y, off + i);
        }
        if (i < len) {
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector.fromArray(S, x, off + i, m).sub(mv).fma(av, sv).intoArray(y, off + i, m);
        }
    }

    private static void normalizeSilu(float[] x, float[] y, int off, int len, float mean, float a, float shift) {
        FloatVector mv = FloatVector.broadcast(S, mean), av = FloatVector.broadcast(S, a),
                sv = FloatVector.broadcast(S, shift);
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += L) {
            VMath.silu(FloatVector.fromArray(S, x, off + i).sub(mv).fma(av, sv)).intoArray(y, off + i);
        }
        if (i < len) {
            VectorMask<Float> m = S.indexInRange(i, len);
            VMath.silu(FloatVector.fromArray(S, x, off + i, m).sub(mv).fma(av, sv)).intoArray(y, off + i, m);
        }
    }

    /** One layerNorm row with both affine parameters: y = (x - mean)·inv·γ + β (no vector merged across branches). */
    private static void normalizeAffine(float[] x, float[] y, int base, int c, float mean, float inv, float[] g,
            float[] b) {
        FloatVector mv = FloatVector.broadcast(S, mean), iv = FloatVector.broadcast(S, inv);
        int i = 0;
        for (int end = S.loopBound(c); i < end; i += L) {
            FloatVector.fromArray(S, x, base + i).sub(mv).mul(iv).mul(FloatVector.fromArray(S, g, i))
                    .add(FloatVector.fromArray(S, b, i)).intoArray(y, base + i);
        }
        for (; i < c; i++) {
            y[base + i] = (x[base + i] - mean) * inv * g[i] + b[i];
        }
    }

    /** One layerNorm row with either affine parameter possibly absent (rare: the vector loop has no γ, β). */
    private static void normalizeRow(float[] x, float[] y, int base, int c, float mean, float inv, float[] g,
            float[] b) {
        FloatVector mv = FloatVector.broadcast(S, mean), iv = FloatVector.broadcast(S, inv);
        int i = 0;
        if (g == null && b == null) {
            for (int end = S.loopBound(c); i < end; i += L) {
                FloatVector.fromArray(S, x, base + i).sub(mv).mul(iv).intoArray(y, base + i);
            }
        }
        for (; i < c; i++) {
            float v = (x[base + i] - mean) * inv;
            if (g != null) {
                v *= g[i];
            }
            if (b != null) {
                v += b[i];
            }
            y[base + i] = v;
        }
    }

    // ---------------------------------------------------------------- activations

    @FunctionalInterface
    private interface ArrayFn {
        void apply(float[] x, int xo, float[] y, int yo, int len);
    }

    /** y = f(x) over chunks; f is one of the {@link VMath} array loops (each keeps its vectors unboxed). */
    private Tensor map(Tensor x, ArrayFn f) {
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        forRange(xd.length, (i0, i1) -> f.apply(xd, i0, yd, i0, i1 - i0));
        return y;
    }

    @Override
    public Tensor silu(Tensor x) {
        return map(x, VMath::silu);
    }

    @Override
    public Tensor gelu(Tensor x) {
        return map(x, VMath::gelu);
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        return map(x, VMath::geluTanh);
    }

    @Override
    public Tensor quickGelu(Tensor x) {
        return map(x, VMath::quickGelu);
    }

    @Override
    public Tensor geglu(Tensor x) {
        int two = x.dim(-1);
        if (two % 2 != 0) {
            throw new IllegalArgumentException("geglu: last dimension " + two + " is odd");
        }
        int d = two / 2;
        int rows = two == 0 ? 0 : x.numel() / two;
        int[] s = x.shape();
        s[s.length - 1] = d;
        Tensor y = Tensor.zeros(s);
        float[] xd = x.data(), yd = y.data();
        forRowsOf(rows, two, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                VMath.geglu(xd, r * two, xd, r * two + d, yd, r * d, d);
            }
        });
        return y;
    }

    // ---------------------------------------------------------------- layout and elementwise

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = Tensor.zeros(n, c, outH, outW);
        float[] xd = x.data(), yd = y.data();
        // torch 'nearest': src = floor(dst * (in / out)), the scale computed in float (as ReferenceOps)
        float sh = (float) h / outH, sw = (float) w / outW;
        int[] ix = new int[outW];
        for (int ox = 0; ox < outW; ox++) {
            ix[ox] = Math.min((int) Math.floor(ox * sw), w - 1);
        }
        int[] iy = new int[outH];
        for (int oy = 0; oy < outH; oy++) {
            iy[oy] = Math.min((int) Math.floor(oy * sh), h - 1);
        }
        forRowsOf(n * c, outH * outW, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int oy = 0; oy < outH; oy++) {
                    int dst = (p * outH + oy) * outW;
                    if (oy > 0 && iy[oy] == iy[oy - 1]) {
                        System.arraycopy(yd, dst - outW, yd, dst, outW);
                        continue;
                    }
                    int src = (p * h + iy[oy]) * w;
                    for (int ox = 0; ox < outW; ox++) {
                        yd[dst + ox] = xd[src + ix[ox]];
                    }
                }
            }
        });
        return y;
    }

    @Override
    public Tensor concatChannels(Tensor a, Tensor b) {
        int n = a.dim(0), ca = a.dim(1), cb = b.dim(1);
        int spatial = a.numel() / Math.max(1, n * ca);
        if (b.dim(0) != n || b.numel() / Math.max(1, n * cb) != spatial || a.rank() != b.rank()) {
            throw new IllegalArgumentException("concatChannels: " + a + " and " + b);
        }
        int[] s = a.shape();
        s[1] = ca + cb;
        Tensor y = Tensor.zeros(s);
        float[] ad = a.data(), bd = b.data(), yd = y.data();
        Range copy = (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int ni = u / 2;
                if (u % 2 == 0) {
                    System.arraycopy(ad, ni * ca * spatial, yd, ni * (ca + cb) * spatial, ca * spatial);
                } else {
                    System.arraycopy(bd, ni * cb * spatial, yd, (ni * (ca + cb) + ca) * spatial, cb * spatial);
                }
            }
        };
        if (y.numel() > PAR_MIN) {
            par.forEach(2 * n, u -> copy.run(u, u + 1));
        } else {
            copy.run(0, 2 * n);
        }
        return y;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        checkSame(a, b, "add");
        Tensor y = Tensor.zeros(a.shape());
        float[] ad = a.data(), bd = b.data(), yd = y.data();
        forRange(yd.length, (i0, i1) -> {
            int i = i0;
            for (int end = i0 + S.loopBound(i1 - i0); i < end; i += L) {
                FloatVector.fromArray(S, ad, i).add(FloatVector.fromArray(S, bd, i)).intoArray(yd, i);
            }
            for (; i < i1; i++) {
                yd[i] = ad[i] + bd[i];
            }
        });
        return y;
    }

    @Override
    public Tensor addInPlace(Tensor a, Tensor b) {
        if (a.numel() != b.numel()) {
            throw new IllegalArgumentException("addInPlace: " + a + " vs " + b);
        }
        float[] ad = a.data(), bd = b.data();
        forRange(ad.length, (i0, i1) -> {
            int i = i0;
            for (int end = i0 + S.loopBound(i1 - i0); i < end; i += L) {
                FloatVector.fromArray(S, ad, i).add(FloatVector.fromArray(S, bd, i)).intoArray(ad, i);
            }
            for (; i < i1; i++) {
                ad[i] += bd[i];
            }
        });
        return a;
    }

    @Override
    public Tensor addChannelBias(Tensor x, Tensor b) {
        int n = x.dim(0), c = x.dim(1);
        if (b.numel() != n * c) {
            throw new IllegalArgumentException("addChannelBias: " + x + " + " + b);
        }
        int spatial = x.numel() / Math.max(1, n * c);
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data(), bd = b.data();
        forRowsOf(n * c, spatial, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                FloatVector bv = FloatVector.broadcast(S, bd[p]);
                int base = p * spatial, i = 0;
                for (int end = S.loopBound(spatial); i < end; i += L) {
                    FloatVector.fromArray(S, xd, base + i).add(bv).intoArray(yd, base + i);
                }
                for (; i < spatial; i++) {
                    yd[base + i] = xd[base + i] + bd[p];
                }
            }
        });
        return y;
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        checkSame(a, b, "mul");
        Tensor y = Tensor.zeros(a.shape());
        float[] ad = a.data(), bd = b.data(), yd = y.data();
        forRange(yd.length, (i0, i1) -> {
            int i = i0;
            for (int end = i0 + S.loopBound(i1 - i0); i < end; i += L) {
                FloatVector.fromArray(S, ad, i).mul(FloatVector.fromArray(S, bd, i)).intoArray(yd, i);
            }
            for (; i < i1; i++) {
                yd[i] = ad[i] * bd[i];
            }
        });
        return y;
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        return map(x, (a, ao, b, bo, len) -> VMath.scale(a, ao, s, b, bo, len));
    }

    @Override
    public Tensor nchwToNlc(Tensor x) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = Tensor.zeros(n, h * w, c);
        transposeBatched(x.data(), y.data(), n, c, h * w);
        return y;
    }

    @Override
    public Tensor nlcToNchw(Tensor x, int h, int w) {
        int n = x.dim(0), c = x.dim(2);
        if (x.dim(1) != h * w) {
            throw new IllegalArgumentException("nlcToNchw: " + x + " is not " + h + "x" + w);
        }
        Tensor y = Tensor.zeros(n, c, h, w);
        transposeBatched(x.data(), y.data(), n, h * w, c);
        return y;
    }

    /** For each of n matrices: dst [cols, rows] = src [rows, cols]ᵀ, in 32 x 32 blocks (both sides stay in L1). */
    private void transposeBatched(float[] src, float[] dst, int n, int rows, int cols) {
        int bs = 32;
        int rb = (rows + bs - 1) / bs;
        int work = n * rb;
        int perTask = Math.max(1, work / (8 * par.threads()));
        int tasks = (long) rows * cols * n > PAR_MIN ? (work + perTask - 1) / perTask : 1;
        int per = tasks == 1 ? work : perTask;
        par.forEach(tasks, t -> {
            for (int u = t * per; u < Math.min(work, (t + 1) * per); u++) {
                int ni = u / rb, r0 = (u % rb) * bs, r1 = Math.min(rows, r0 + bs);
                int base = ni * rows * cols;
                for (int c0 = 0; c0 < cols; c0 += bs) {
                    int c1 = Math.min(cols, c0 + bs);
                    for (int r = r0; r < r1; r++) {
                        for (int cc = c0; cc < c1; cc++) {
                            dst[base + cc * rows + r] = src[base + r * cols + cc];
                        }
                    }
                }
            }
        });
    }

    @Override
    public Tensor timestepEmbedding(float[] timesteps, int dim, boolean flipSinToCos, float downscaleFreqShift,
            float scale, int maxPeriod) {
        // a few thousand elements per step: the reference is exact and fast enough
        return REFERENCE.timestepEmbedding(timesteps, dim, flipSinToCos, downscaleFreqShift, scale, maxPeriod);
    }

    private static final ReferenceOps REFERENCE = new ReferenceOps();

    // ---------------------------------------------------------------- helpers

    @FunctionalInterface
    private interface Range {
        void run(int from, int to);
    }

    /** Splits [0, len) into {@link #CHUNK}-element tasks (inline when small). */
    private void forRange(int len, Range r) {
        if (len <= PAR_MIN) {
            r.run(0, len);
            return;
        }
        int tasks = (len + CHUNK - 1) / CHUNK;
        par.forEach(tasks, t -> r.run(t * CHUNK, Math.min(len, (t + 1) * CHUNK)));
    }

    /** Splits rows of rowLen elements into tasks of about {@link #CHUNK} elements. */
    private void forRowsOf(int rows, int rowLen, Range r) {
        long total = (long) rows * rowLen;
        if (total <= PAR_MIN || rows <= 1) {
            r.run(0, rows);
            return;
        }
        int per = (int) Math.max(1, CHUNK / Math.max(1, rowLen));
        int tasks = (rows + per - 1) / per;
        par.forEach(tasks, t -> r.run(t * per, Math.min(rows, (t + 1) * per)));
    }


    private static void checkSame(Tensor a, Tensor b, String op) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(op + ": shapes differ " + a + " vs " + b);
        }
    }

    @Override
    public String toString() {
        return "VectorOps(" + par.threads() + " threads, " + L * 32 + "-bit vectors, conv3x3 "
                + (winograd == null ? "implicit GEMM" : "Winograd " + winograd) + ")";
    }

    @Override
    public void weightChanged(Tensor weight) {
        cache.invalidate(weight);
    }
}

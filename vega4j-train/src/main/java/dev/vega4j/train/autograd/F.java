package dev.vega4j.train.autograd;

import dev.vega4j.tensor.Erf;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The differentiable ops the UNet needs. Forward passes go through {@link Ops#get()} (the same kernels as inference,
 * so a trained model's forward equals the inference UNet's); backward passes are written out here, with the
 * big products (linear, convolution) through {@link TensorOps#matmul}. Statistics and reductions are accumulated in
 * double. Derivations are the textbook ones (e.g. the GroupNorm/LayerNorm gradient
 * {@code dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))}, attention {@code dS = P ∘ (dP − rowsum(dP ∘ P))}).
 */
public final class F {
    private F() {}

    private static TensorOps ops() {
        return Ops.get();
    }

    /** A node with the given parents; a constant when no parent needs a gradient (or under {@link Autograd#noGrad}). */
    static Var node(Tensor value, Var.Backward backward, Var... parents) {
        if (!Autograd.gradEnabled()) {
            return Var.constant(value);
        }
        for (Var p : parents) {
            if (p.requiresGrad()) {
                return new Var(value, true, parents, backward);
            }
        }
        return Var.constant(value);
    }

    // ---------------------------------------------------------------- dense

    /** {@code y = x Wᵀ + b} over the last dim: x [..., K], w [N, K], b [N] or null. */
    public static Var linear(Var x, Var w, Var b) {
        Tensor y = ops().linear(x.value(), w.value(), b == null ? null : b.value());
        int n = w.dim(0), k = w.dim(1), m = x.numel() / k;
        Var[] parents = b == null ? new Var[] {x, w} : new Var[] {x, w, b};
        return node(y, g -> {
            Tensor g2 = g.reshape(1, m, n);
            if (x.requiresGrad()) {
                x.accumulate(ops().matmul(g2, w.value().reshape(1, n, k)).reshape(x.shape()));
            }
            if (w.requiresGrad()) {
                Tensor gt = transpose(g.data(), m, n);
                w.accumulate(ops().matmul(gt.reshape(1, n, m), x.value().reshape(1, m, k)).reshape(n, k));
            }
            if (b != null && b.requiresGrad()) {
                double[] acc = new double[n];
                float[] gd = g.data();
                for (int r = 0; r < m; r++) {
                    for (int c = 0; c < n; c++) {
                        acc[c] += gd[r * n + c];
                    }
                }
                b.accumulate(toTensor(acc, n));
            }
        }, parents);
    }

    /** 2-D convolution, x [N, C, H, W], w [O, C, kh, kw], square stride and zero padding, b [O] or null. */
    public static Var conv2d(Var x, Var w, Var b, int stride, int padding) {
        Tensor y = ops().conv2d(x.value(), w.value(), b == null ? null : b.value(), stride, padding);
        int nb = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int o = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        int ho = y.dim(2), wo = y.dim(3), l = ho * wo, ck = c * kh * kw;
        Var[] parents = b == null ? new Var[] {x, w} : new Var[] {x, w, b};
        return node(y, g -> {
            float[] gd = g.data();
            Tensor dx = x.requiresGrad() ? Tensor.zeros(x.shape()) : null;
            Tensor dw = w.requiresGrad() ? Tensor.zeros(o, ck) : null;
            double[] db = b != null && b.requiresGrad() ? new double[o] : null;
            Tensor w2 = w.value().reshape(1, o, ck);
            for (int n = 0; n < nb; n++) {
                Tensor gn = Tensor.of(Arrays.copyOfRange(gd, n * o * l, (n + 1) * o * l), 1, o, l);
                if (dw != null) {
                    Tensor cols = im2colT(x.value().data(), n, c, h, wd, kh, kw, stride, padding, ho, wo);
                    addInto(dw.data(), ops().matmul(gn, cols.reshape(1, l, ck)).data());
                }
                if (dx != null) {
                    Tensor gt = transpose(gn.data(), o, l);
                    Tensor dcols = ops().matmul(gt.reshape(1, l, o), w2);
                    col2imT(dcols.data(), dx.data(), n, c, h, wd, kh, kw, stride, padding, ho, wo);
                }
                if (db != null) {
                    for (int oc = 0; oc < o; oc++) {
                        double s = 0;
                        for (int i = 0; i < l; i++) {
                            s += gd[(n * o + oc) * l + i];
                        }
                        db[oc] += s;
                    }
                }
            }
            if (dx != null) {
                x.accumulate(dx);
            }
            if (dw != null) {
                w.accumulate(dw.reshape(w.shape()));
            }
            if (db != null) {
                b.accumulate(toTensor(db, o));
            }
        }, parents);
    }

    /** Patches of image {@code n} as rows: [ho·wo, c·kh·kw]. */
    private static Tensor im2colT(float[] x, int n, int c, int h, int w, int kh, int kw, int s, int p, int ho, int wo) {
        int ck = c * kh * kw;
        float[] out = new float[ho * wo * ck];
        for (int oy = 0; oy < ho; oy++) {
            for (int ox = 0; ox < wo; ox++) {
                int row = (oy * wo + ox) * ck;
                for (int ci = 0; ci < c; ci++) {
                    int base = (n * c + ci) * h * w;
                    for (int i = 0; i < kh; i++) {
                        int iy = oy * s - p + i;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int j = 0; j < kw; j++) {
                            int ix = ox * s - p + j;
                            if (ix >= 0 && ix < w) {
                                out[row + (ci * kh + i) * kw + j] = x[base + iy * w + ix];
                            }
                        }
                    }
                }
            }
        }
        return Tensor.of(out, ho * wo, ck);
    }

    private static void col2imT(float[] cols, float[] dx, int n, int c, int h, int w, int kh, int kw, int s, int p,
            int ho, int wo) {
        int ck = c * kh * kw;
        for (int oy = 0; oy < ho; oy++) {
            for (int ox = 0; ox < wo; ox++) {
                int row = (oy * wo + ox) * ck;
                for (int ci = 0; ci < c; ci++) {
                    int base = (n * c + ci) * h * w;
                    for (int i = 0; i < kh; i++) {
                        int iy = oy * s - p + i;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int j = 0; j < kw; j++) {
                            int ix = ox * s - p + j;
                            if (ix >= 0 && ix < w) {
                                dx[base + iy * w + ix] += cols[row + (ci * kh + i) * kw + j];
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- normalisation

    /** GroupNorm over [N, C, ...] (biased variance, like torch), then per-channel affine. */
    public static Var groupNorm(Var x, int groups, Var gamma, Var beta, float eps) {
        Tensor y = ops().groupNorm(x.value(), groups, gamma.value(), beta.value(), eps, false);
        int n = x.dim(0), c = x.dim(1), spatial = x.numel() / (n * c), cpg = c / groups;
        return node(y, g -> {
            float[] xd = x.value().data(), gd = g.data(), ga = gamma.value().data();
            float[] dx = x.requiresGrad() ? new float[xd.length] : null;
            double[] dgamma = new double[c], dbeta = new double[c];
            int len = cpg * spatial;
            double[] xhat = new double[len], dxhat = new double[len];
            for (int b = 0; b < n; b++) {
                for (int gr = 0; gr < groups; gr++) {
                    int off = (b * c + gr * cpg) * spatial;
                    double mean = 0;
                    for (int i = 0; i < len; i++) {
                        mean += xd[off + i];
                    }
                    mean /= len;
                    double var = 0;
                    for (int i = 0; i < len; i++) {
                        double d = xd[off + i] - mean;
                        var += d * d;
                    }
                    var /= len;
                    double rstd = 1.0 / Math.sqrt(var + eps);
                    double mDx = 0, mDxX = 0;
                    for (int i = 0; i < len; i++) {
                        int ch = gr * cpg + i / spatial;
                        xhat[i] = (xd[off + i] - mean) * rstd;
                        double gi = gd[off + i];
                        dgamma[ch] += gi * xhat[i];
                        dbeta[ch] += gi;
                        dxhat[i] = gi * ga[ch];
                        mDx += dxhat[i];
                        mDxX += dxhat[i] * xhat[i];
                    }
                    if (dx != null) {
                        mDx /= len;
                        mDxX /= len;
                        for (int i = 0; i < len; i++) {
                            dx[off + i] = (float) (rstd * (dxhat[i] - mDx - xhat[i] * mDxX));
                        }
                    }
                }
            }
            if (dx != null) {
                x.accumulate(Tensor.of(dx, x.shape()));
            }
            gamma.accumulate(toTensor(dgamma, c));
            beta.accumulate(toTensor(dbeta, c));
        }, x, gamma, beta);
    }

    /** LayerNorm over the last dimension with affine gamma, beta [C]. */
    public static Var layerNorm(Var x, Var gamma, Var beta, float eps) {
        Tensor y = ops().layerNorm(x.value(), gamma.value(), beta.value(), eps);
        int c = x.dim(-1), rows = x.numel() / c;
        return node(y, g -> {
            float[] xd = x.value().data(), gd = g.data(), ga = gamma.value().data();
            float[] dx = x.requiresGrad() ? new float[xd.length] : null;
            double[] dgamma = new double[c], dbeta = new double[c], xhat = new double[c], dxhat = new double[c];
            for (int r = 0; r < rows; r++) {
                int off = r * c;
                double mean = 0;
                for (int i = 0; i < c; i++) {
                    mean += xd[off + i];
                }
                mean /= c;
                double var = 0;
                for (int i = 0; i < c; i++) {
                    double d = xd[off + i] - mean;
                    var += d * d;
                }
                double rstd = 1.0 / Math.sqrt(var / c + eps);
                double mDx = 0, mDxX = 0;
                for (int i = 0; i < c; i++) {
                    xhat[i] = (xd[off + i] - mean) * rstd;
                    dgamma[i] += gd[off + i] * xhat[i];
                    dbeta[i] += gd[off + i];
                    dxhat[i] = gd[off + i] * ga[i];
                    mDx += dxhat[i];
                    mDxX += dxhat[i] * xhat[i];
                }
                if (dx != null) {
                    mDx /= c;
                    mDxX /= c;
                    for (int i = 0; i < c; i++) {
                        dx[off + i] = (float) (rstd * (dxhat[i] - mDx - xhat[i] * mDxX));
                    }
                }
            }
            if (dx != null) {
                x.accumulate(Tensor.of(dx, x.shape()));
            }
            gamma.accumulate(toTensor(dgamma, c));
            beta.accumulate(toTensor(dbeta, c));
        }, x, gamma, beta);
    }

    // ---------------------------------------------------------------- activations

    public static Var silu(Var x) {
        Tensor y = ops().silu(x.value());
        return node(y, g -> {
            float[] xd = x.value().data(), gd = g.data(), dx = new float[xd.length];
            for (int i = 0; i < xd.length; i++) {
                double s = 1.0 / (1.0 + Math.exp(-xd[i]));
                dx[i] = (float) (gd[i] * s * (1 + xd[i] * (1 - s)));
            }
            x.accumulate(Tensor.of(dx, x.shape()));
        }, x);
    }

    /** Exact GELU; derivative {@code Φ(x) + x·φ(x)}. */
    public static Var gelu(Var x) {
        Tensor y = ops().gelu(x.value());
        return node(y, g -> {
            float[] xd = x.value().data(), gd = g.data(), dx = new float[xd.length];
            for (int i = 0; i < xd.length; i++) {
                dx[i] = (float) (gd[i] * geluGrad(xd[i]));
            }
            x.accumulate(Tensor.of(dx, x.shape()));
        }, x);
    }

    private static double geluGrad(double v) {
        double cdf = 0.5 * Erf.erfc(-v / Math.sqrt(2));
        double pdf = Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
        return cdf + v * pdf;
    }

    private static double gelu(double v) {
        return 0.5 * v * Erf.erfc(-v / Math.sqrt(2));
    }

    /** diffusers GEGLU after its projection: x [..., 2D] → {@code x[..., :D] · gelu(x[..., D:])}. */
    public static Var geglu(Var x) {
        Tensor y = ops().geglu(x.value());
        int d2 = x.dim(-1), d = d2 / 2, rows = x.numel() / d2;
        return node(y, g -> {
            float[] xd = x.value().data(), gd = g.data(), dx = new float[xd.length];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < d; i++) {
                    double a = xd[r * d2 + i], gate = xd[r * d2 + d + i], go = gd[r * d + i];
                    dx[r * d2 + i] = (float) (go * gelu(gate));
                    dx[r * d2 + d + i] = (float) (go * a * geluGrad(gate));
                }
            }
            x.accumulate(Tensor.of(dx, x.shape()));
        }, x);
    }

    /** Softmax over the last dimension; {@code dx = y ∘ (dy − Σ dy∘y)}. */
    public static Var softmax(Var x) {
        Tensor y = ops().softmax(x.value());
        int c = x.dim(-1), rows = x.numel() / c;
        return node(y, g -> {
            float[] yd = y.data(), gd = g.data(), dx = new float[yd.length];
            for (int r = 0; r < rows; r++) {
                double dot = 0;
                for (int i = 0; i < c; i++) {
                    dot += (double) gd[r * c + i] * yd[r * c + i];
                }
                for (int i = 0; i < c; i++) {
                    dx[r * c + i] = (float) (yd[r * c + i] * (gd[r * c + i] - dot));
                }
            }
            x.accumulate(Tensor.of(dx, x.shape()));
        }, x);
    }

    // ---------------------------------------------------------------- attention

    /**
     * Multi-head attention {@code softmax(scale · q kᵀ) v} per head: q [B, Tq, H·d], k, v [B, Tk, H·d]. The backward
     * recomputes each head's probabilities (O(Tq·Tk) per head at a time) instead of storing them.
     */
    public static Var attention(Var q, Var k, Var v, int heads, float scale) {
        Tensor y = ops().attention(q.value(), k.value(), v.value(), heads, scale, false);
        int b = q.dim(0), tq = q.dim(1), tk = k.dim(1), hd = q.dim(2), d = hd / heads;
        return node(y, g -> {
            float[] qd = q.value().data(), kd = k.value().data(), vd = v.value().data(), gd = g.data();
            float[] dq = new float[qd.length], dk = new float[kd.length], dv = new float[vd.length];
            double[] p = new double[tk], dp = new double[tk];
            for (int bi = 0; bi < b; bi++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < tq; i++) {
                        int qo = (bi * tq + i) * hd + h * d;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < tk; j++) {
                            int ko = (bi * tk + j) * hd + h * d;
                            double s = 0;
                            for (int e = 0; e < d; e++) {
                                s += (double) qd[qo + e] * kd[ko + e];
                            }
                            p[j] = s * scale;
                            max = Math.max(max, p[j]);
                        }
                        double sum = 0;
                        for (int j = 0; j < tk; j++) {
                            p[j] = Math.exp(p[j] - max);
                            sum += p[j];
                        }
                        double rowDot = 0;
                        for (int j = 0; j < tk; j++) {
                            p[j] /= sum;
                            int vo = (bi * tk + j) * hd + h * d;
                            double s = 0;
                            for (int e = 0; e < d; e++) {
                                s += (double) gd[qo + e] * vd[vo + e];
                                dv[vo + e] += (float) (p[j] * gd[qo + e]);
                            }
                            dp[j] = s;
                            rowDot += s * p[j];
                        }
                        for (int j = 0; j < tk; j++) {
                            double ds = p[j] * (dp[j] - rowDot) * scale;
                            int ko = (bi * tk + j) * hd + h * d;
                            for (int e = 0; e < d; e++) {
                                dq[qo + e] += (float) (ds * kd[ko + e]);
                                dk[ko + e] += (float) (ds * qd[qo + e]);
                            }
                        }
                    }
                }
            }
            q.accumulate(Tensor.of(dq, q.shape()));
            k.accumulate(Tensor.of(dk, k.shape()));
            v.accumulate(Tensor.of(dv, v.shape()));
        }, q, k, v);
    }

    // ---------------------------------------------------------------- layout and arithmetic

    /** Nearest-neighbour resize of NCHW (torch's {@code floor(dst · in / out)} source index). */
    public static Var upsampleNearest(Var x, int outH, int outW) {
        Tensor y = ops().upsampleNearest(x.value(), outH, outW);
        int nc = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        return node(y, g -> {
            float[] gd = g.data(), dx = new float[x.numel()];
            for (int p = 0; p < nc; p++) {
                for (int oy = 0; oy < outH; oy++) {
                    int iy = (int) Math.min((long) oy * h / outH, h - 1);
                    for (int ox = 0; ox < outW; ox++) {
                        int ix = (int) Math.min((long) ox * w / outW, w - 1);
                        dx[(p * h + iy) * w + ix] += gd[(p * outH + oy) * outW + ox];
                    }
                }
            }
            x.accumulate(Tensor.of(dx, x.shape()));
        }, x);
    }

    /** Concatenation of two [N, C, ...] tensors along channels. */
    public static Var concatChannels(Var a, Var b) {
        Tensor y = ops().concatChannels(a.value(), b.value());
        int n = a.dim(0), ca = a.dim(1), cb = b.dim(1), spatial = a.numel() / (n * ca);
        return node(y, g -> splitChannels(g, a, b, n, ca * spatial, cb * spatial), a, b);
    }

    /** Concatenation of two [B, X] and [B, Y] tensors along the last dimension. */
    public static Var concatLast(Var a, Var b) {
        int rows = a.dim(0), ca = a.numel() / rows, cb = b.numel() / rows;
        Tensor y = Tensor.zeros(rows, ca + cb);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a.value().data(), r * ca, y.data(), r * (ca + cb), ca);
            System.arraycopy(b.value().data(), r * cb, y.data(), r * (ca + cb) + ca, cb);
        }
        return node(y, g -> splitChannels(g, a, b, rows, ca, cb), a, b);
    }

    private static void splitChannels(Tensor g, Var a, Var b, int n, int la, int lb) {
        float[] gd = g.data(), da = new float[n * la], dbb = new float[n * lb];
        for (int i = 0; i < n; i++) {
            System.arraycopy(gd, i * (la + lb), da, i * la, la);
            System.arraycopy(gd, i * (la + lb) + la, dbb, i * lb, lb);
        }
        a.accumulate(Tensor.of(da, a.shape()));
        b.accumulate(Tensor.of(dbb, b.shape()));
    }

    public static Var add(Var a, Var b) {
        if (a.numel() != b.numel()) {
            throw new IllegalArgumentException("add: " + a + " and " + b);
        }
        Tensor y = ops().add(a.value(), b.value());
        return node(y, g -> {
            a.accumulate(g);
            b.accumulate(g);
        }, a, b);
    }

    public static Var mul(Var a, Var b) {
        Tensor y = ops().mul(a.value(), b.value());
        return node(y, g -> {
            if (a.requiresGrad()) {
                a.accumulate(ops().mul(g, b.value().reshape(g.shape())));
            }
            if (b.requiresGrad()) {
                b.accumulate(ops().mul(g, a.value().reshape(g.shape())));
            }
        }, a, b);
    }

    public static Var scale(Var x, float s) {
        Tensor y = ops().scale(x.value(), s);
        return node(y, g -> x.accumulate(ops().scale(g, s)), x);
    }

    /** x [N, C, ...] + b [N, C] broadcast over the trailing dims (the ResNet time-embedding add). */
    public static Var addChannelBias(Var x, Var b) {
        Tensor y = ops().addChannelBias(x.value(), b.value());
        int nc = b.numel(), spatial = x.numel() / nc;
        return node(y, g -> {
            x.accumulate(g);
            if (b.requiresGrad()) {
                float[] gd = g.data();
                double[] db = new double[nc];
                for (int p = 0; p < nc; p++) {
                    double s = 0;
                    for (int i = 0; i < spatial; i++) {
                        s += gd[p * spatial + i];
                    }
                    db[p] = s;
                }
                b.accumulate(toTensor(db, b.shape()));
            }
        }, x, b);
    }

    /** NCHW → [N, H·W, C]. */
    public static Var nchwToNlc(Var x) {
        Tensor y = ops().nchwToNlc(x.value());
        int h = x.dim(2), w = x.dim(3);
        return node(y, g -> x.accumulate(ops().nlcToNchw(g, h, w)), x);
    }

    /** [N, H·W, C] → NCHW. */
    public static Var nlcToNchw(Var x, int h, int w) {
        Tensor y = ops().nlcToNchw(x.value(), h, w);
        return node(y, g -> x.accumulate(ops().nchwToNlc(g)), x);
    }

    /**
     * diffusers {@code get_timestep_embedding} of timesteps t [N] → [N, dim] (via {@link TensorOps#timestepEmbedding},
     * scale 1, max period 10000); differentiable in t: {@code d sin(f t)/dt = f cos(f t)}.
     */
    public static Var timestepEmbedding(Var t, int dim, boolean flipSinToCos, float downscaleFreqShift) {
        float[] ts = t.value().data().clone();
        Tensor y = ops().timestepEmbedding(ts, dim, flipSinToCos, downscaleFreqShift, 1f, 10000);
        int half = dim / 2, n = ts.length;
        return node(y, g -> {
            float[] gd = g.data(), dt = new float[n];
            for (int r = 0; r < n; r++) {
                double s = 0;
                for (int i = 0; i < half; i++) {
                    double f = Math.exp(-Math.log(10000) * i / (half - downscaleFreqShift));
                    double a = ts[r] * f;
                    double gSin = gd[r * dim + (flipSinToCos ? half + i : i)];
                    double gCos = gd[r * dim + (flipSinToCos ? i : half + i)];
                    s += gSin * f * Math.cos(a) - gCos * f * Math.sin(a);
                }
                dt[r] = (float) s;
            }
            t.accumulate(Tensor.of(dt, t.shape()));
        }, t);
    }

    // ---------------------------------------------------------------- losses

    /** {@code mean((a − b)²)} as a scalar, accumulated in double (torch {@code F.mse_loss}, reduction mean). */
    public static Var mse(Var a, Var b) {
        if (a.numel() != b.numel()) {
            throw new IllegalArgumentException("mse: " + a + " vs " + b);
        }
        float[] ad = a.value().data(), bd = b.value().data();
        double s = 0;
        for (int i = 0; i < ad.length; i++) {
            double d = (double) ad[i] - bd[i];
            s += d * d;
        }
        int n = ad.length;
        return node(Tensor.scalar((float) (s / n)), g -> {
            double k = 2.0 * g.data()[0] / n;
            float[] da = new float[n];
            for (int i = 0; i < n; i++) {
                da[i] = (float) (k * ((double) ad[i] - bd[i]));
            }
            if (a.requiresGrad()) {
                a.accumulate(Tensor.of(da, a.shape()));
            }
            if (b.requiresGrad()) {
                float[] dbb = new float[n];
                for (int i = 0; i < n; i++) {
                    dbb[i] = -da[i];
                }
                b.accumulate(Tensor.of(dbb, b.shape()));
            }
        }, a, b);
    }

    /** {@code Σ x ∘ r} as a scalar (double accumulation): the random projection gradient checks use. */
    public static Var dot(Var x, Tensor r) {
        float[] xd = x.value().data(), rd = r.data();
        double s = 0;
        for (int i = 0; i < xd.length; i++) {
            s += (double) xd[i] * rd[i];
        }
        return node(Tensor.scalar((float) s), g -> x.accumulate(ops().scale(r.reshape(x.shape()), g.data()[0])), x);
    }

    /** Weighted sum of scalars {@code Σ wᵢ · xᵢ}. */
    public static Var weightedSum(Var[] xs, float[] weights) {
        double s = 0;
        for (int i = 0; i < xs.length; i++) {
            s += (double) weights[i] * xs[i].value().data()[0];
        }
        return node(Tensor.scalar((float) s), g -> {
            for (int i = 0; i < xs.length; i++) {
                xs[i].accumulate(Tensor.scalar(g.data()[0] * weights[i]));
            }
        }, xs);
    }

    // ---------------------------------------------------------------- checkpointing

    /**
     * Gradient checkpointing: runs {@code fn} without recording, keeps only its output, and in the backward pass
     * re-runs {@code fn} with recording and back-propagates through that copy (torch.utils.checkpoint). Parameters
     * used inside {@code fn} receive their gradients directly.
     */
    public static Var checkpoint(Function<Var[], Var> fn, Var... inputs) {
        if (!Autograd.gradEnabled()) {
            return fn.apply(inputs);
        }
        Var[] detached = new Var[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            detached[i] = inputs[i] == null ? null : Var.constant(inputs[i].value());
        }
        Tensor out = Autograd.noGrad(() -> fn.apply(detached)).value();
        Var[] parents = Arrays.stream(inputs).filter(v -> v != null).toArray(Var[]::new);
        return new Var(out, true, parents, g -> {
            Var[] fresh = new Var[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                fresh[i] = inputs[i] == null ? null
                        : inputs[i].requiresGrad() ? Var.parameter(inputs[i].value()) : Var.constant(inputs[i].value());
            }
            Var o = fn.apply(fresh);
            Autograd.backward(o, g);
            for (int i = 0; i < inputs.length; i++) {
                if (fresh[i] != null && fresh[i].grad() != null) {
                    inputs[i].accumulate(fresh[i].grad());
                }
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    static Tensor transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return Tensor.of(t, cols, rows);
    }

    private static void addInto(float[] acc, float[] x) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += x[i];
        }
    }

    private static Tensor toTensor(double[] a, int... shape) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return Tensor.of(f, shape);
    }
}

package dev.vega4j.tensor;

/**
 * The plain-Java oracle: direct loops, double accumulators, no tricks, single-threaded. Slow by design; every fast
 * kernel is tested against it.
 */
public class ReferenceOps implements TensorOps {

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int k = x.dim(-1);
        if (weight.rank() != 2 || weight.dim(1) != k) {
            throw new IllegalArgumentException("linear: x " + x + " vs weight " + weight);
        }
        int n = weight.dim(0);
        int m = x.numel() / k;
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = n;
        Tensor y = Tensor.zeros(outShape);
        float[] xd = x.data(), wd = weight.toFloat32().data(), yd = y.data();
        float[] bd = bias == null ? null : bias.data();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = bd == null ? 0 : bd[j];
                for (int p = 0; p < k; p++) {
                    s += (double) xd[i * k + p] * wd[j * k + p];
                }
                yd[i * n + j] = (float) s;
            }
        }
        return y;
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int batch = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (b.dim(1) != k || (b.dim(0) != batch && b.dim(0) != 1)) {
            throw new IllegalArgumentException("matmul: " + a + " · " + b);
        }
        Tensor y = Tensor.zeros(batch, m, n);
        float[] ad = a.data(), bd = b.toFloat32().data(), yd = y.data();
        for (int bi = 0; bi < batch; bi++) {
            int aOff = bi * m * k, bOff = (b.dim(0) == 1 ? 0 : bi) * k * n, yOff = bi * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += (double) ad[aOff + i * k + p] * bd[bOff + p * n + j];
                    }
                    yd[yOff + i * n + j] = (float) s;
                }
            }
        }
        return y;
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int o = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
        if (weight.dim(1) != c) {
            throw new IllegalArgumentException("conv2d: input " + x + " vs weight " + weight);
        }
        int oh = (h + 2 * padding - kh) / stride + 1;
        int ow = (w + 2 * padding - kw) / stride + 1;
        Tensor y = Tensor.zeros(n, o, oh, ow);
        float[] xd = x.data(), wd = weight.toFloat32().data(), yd = y.data();
        float[] bd = bias == null ? null : bias.data();
        for (int ni = 0; ni < n; ni++) {
            for (int oc = 0; oc < o; oc++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bd == null ? 0 : bd[oc];
                        for (int ic = 0; ic < c; ic++) {
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * stride - padding + ky;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * stride - padding + kx;
                                    if (ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    s += (double) xd[((ni * c + ic) * h + iy) * w + ix]
                                            * wd[((oc * c + ic) * kh + ky) * kw + kx];
                                }
                            }
                        }
                        yd[((ni * o + oc) * oh + oy) * ow + ox] = (float) s;
                    }
                }
            }
        }
        return y;
    }

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, float eps, boolean silu) {
        int n = x.dim(0), c = x.dim(1);
        if (c % groups != 0) {
            throw new IllegalArgumentException("groupNorm: " + c + " channels not divisible by " + groups + " groups");
        }
        int spatial = x.numel() / (n * c);
        int perGroup = c / groups * spatial;
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        for (int ni = 0; ni < n; ni++) {
            for (int g = 0; g < groups; g++) {
                int base = (ni * c + g * (c / groups)) * spatial;
                double sum = 0;
                for (int i = 0; i < perGroup; i++) {
                    sum += xd[base + i];
                }
                double mean = sum / perGroup;
                double sq = 0;
                for (int i = 0; i < perGroup; i++) {
                    double d = xd[base + i] - mean;
                    sq += d * d;
                }
                double inv = 1.0 / Math.sqrt(sq / perGroup + eps);
                for (int i = 0; i < perGroup; i++) {
                    int ch = g * (c / groups) + i / spatial;
                    double v = (xd[base + i] - mean) * inv;
                    if (gamma != null) {
                        v = v * gamma.data()[ch] + beta.data()[ch];
                    }
                    yd[base + i] = silu ? silu((float) v) : (float) v;
                }
            }
        }
        return y;
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int c = x.dim(-1);
        int rows = x.numel() / c;
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            double sum = 0;
            for (int i = 0; i < c; i++) {
                sum += xd[base + i];
            }
            double mean = sum / c;
            double sq = 0;
            for (int i = 0; i < c; i++) {
                double d = xd[base + i] - mean;
                sq += d * d;
            }
            double inv = 1.0 / Math.sqrt(sq / c + eps);
            for (int i = 0; i < c; i++) {
                double v = (xd[base + i] - mean) * inv;
                if (gamma != null) {
                    v = v * gamma.data()[i];
                }
                if (beta != null) {
                    v += beta.data()[i];
                }
                yd[base + i] = (float) v;
            }
        }
        return y;
    }

    @Override
    public Tensor softmax(Tensor x) {
        int c = x.dim(-1);
        int rows = x.numel() / c;
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        for (int r = 0; r < rows; r++) {
            softmaxRow(xd, r * c, yd, r * c, c);
        }
        return y;
    }

    private static void softmaxRow(float[] in, int inOff, float[] out, int outOff, int len) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            max = Math.max(max, in[inOff + i]);
        }
        double sum = 0;
        double[] e = new double[len];
        for (int i = 0; i < len; i++) {
            e[i] = in[inOff + i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(in[inOff + i] - max);
            sum += e[i];
        }
        for (int i = 0; i < len; i++) {
            out[outOff + i] = (float) (e[i] / sum);
        }
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, float scale, boolean causal) {
        int b = q.dim(0), tq = q.dim(1), inner = q.dim(2), tk = k.dim(1);
        if (inner % heads != 0 || k.dim(2) != inner || v.dim(2) != inner || v.dim(1) != tk || k.dim(0) != b) {
            throw new IllegalArgumentException("attention: q " + q + " k " + k + " v " + v + " heads " + heads);
        }
        int d = inner / heads;
        Tensor y = Tensor.zeros(b, tq, inner);
        float[] qd = q.data(), kd = k.data(), vd = v.data(), yd = y.data();
        double[] scores = new double[tk];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tq; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    int qOff = (bi * tq + i) * inner + h * d;
                    for (int j = 0; j < tk; j++) {
                        if (causal && j > i) {
                            scores[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        int kOff = (bi * tk + j) * inner + h * d;
                        double s = 0;
                        for (int p = 0; p < d; p++) {
                            s += (double) qd[qOff + p] * kd[kOff + p];
                        }
                        scores[j] = s * scale;
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < tk; j++) {
                        scores[j] = scores[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int p = 0; p < d; p++) {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) {
                            acc += scores[j] * vd[(bi * tk + j) * inner + h * d + p];
                        }
                        yd[qOff + p] = (float) (acc / sum);
                    }
                }
            }
        }
        return y;
    }

    static float silu(float v) {
        return (float) (v / (1.0 + Math.exp(-v)));
    }

    static float gelu(float v) {
        return (float) (0.5 * v * (1.0 + Erf.erf(v / Math.sqrt(2.0))));
    }

    static float geluTanh(float v) {
        double x = v;
        return (float) (0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x))));
    }

    static float quickGelu(float v) {
        return (float) (v / (1.0 + Math.exp(-1.702 * v)));
    }

    private interface FloatFn {
        float apply(float v);
    }

    private static Tensor map(Tensor x, FloatFn f) {
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        for (int i = 0; i < xd.length; i++) {
            yd[i] = f.apply(xd[i]);
        }
        return y;
    }

    @Override
    public Tensor silu(Tensor x) {
        return map(x, ReferenceOps::silu);
    }

    @Override
    public Tensor gelu(Tensor x) {
        return map(x, ReferenceOps::gelu);
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        return map(x, ReferenceOps::geluTanh);
    }

    @Override
    public Tensor quickGelu(Tensor x) {
        return map(x, ReferenceOps::quickGelu);
    }

    @Override
    public Tensor geglu(Tensor x) {
        int two = x.dim(-1);
        if (two % 2 != 0) {
            throw new IllegalArgumentException("geglu: last dimension " + two + " is odd");
        }
        int d = two / 2;
        int rows = x.numel() / two;
        int[] s = x.shape();
        s[s.length - 1] = d;
        Tensor y = Tensor.zeros(s);
        float[] xd = x.data(), yd = y.data();
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < d; i++) {
                yd[r * d + i] = xd[r * two + i] * gelu(xd[r * two + d + i]);
            }
        }
        return y;
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = Tensor.zeros(n, c, outH, outW);
        float[] xd = x.data(), yd = y.data();
        // torch 'nearest': src = floor(dst * (in / out)), the scale computed in float
        float sh = (float) h / outH, sw = (float) w / outW;
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < outH; oy++) {
                int iy = Math.min((int) Math.floor(oy * sh), h - 1);
                for (int ox = 0; ox < outW; ox++) {
                    int ix = Math.min((int) Math.floor(ox * sw), w - 1);
                    yd[(p * outH + oy) * outW + ox] = xd[(p * h + iy) * w + ix];
                }
            }
        }
        return y;
    }

    @Override
    public Tensor concatChannels(Tensor a, Tensor b) {
        int n = a.dim(0), ca = a.dim(1), cb = b.dim(1);
        int spatial = a.numel() / (n * ca);
        if (b.dim(0) != n || b.numel() / (n * cb) != spatial) {
            throw new IllegalArgumentException("concatChannels: " + a + " and " + b);
        }
        int[] s = a.shape();
        s[1] = ca + cb;
        Tensor y = Tensor.zeros(s);
        for (int ni = 0; ni < n; ni++) {
            System.arraycopy(a.data(), ni * ca * spatial, y.data(), ni * (ca + cb) * spatial, ca * spatial);
            System.arraycopy(b.data(), ni * cb * spatial, y.data(), (ni * (ca + cb) + ca) * spatial, cb * spatial);
        }
        return y;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        checkSame(a, b, "add");
        Tensor y = Tensor.zeros(a.shape());
        for (int i = 0; i < y.numel(); i++) {
            y.data()[i] = a.data()[i] + b.data()[i];
        }
        return y;
    }

    @Override
    public Tensor addInPlace(Tensor a, Tensor b) {
        if (a.numel() != b.numel()) {
            throw new IllegalArgumentException("addInPlace: " + a + " vs " + b);
        }
        for (int i = 0; i < a.numel(); i++) {
            a.data()[i] += b.data()[i];
        }
        return a;
    }

    @Override
    public Tensor addChannelBias(Tensor x, Tensor b) {
        int n = x.dim(0), c = x.dim(1);
        if (b.numel() != n * c) {
            throw new IllegalArgumentException("addChannelBias: " + x + " + " + b);
        }
        int spatial = x.numel() / (n * c);
        Tensor y = Tensor.zeros(x.shape());
        for (int p = 0; p < n * c; p++) {
            float bv = b.data()[p];
            for (int i = 0; i < spatial; i++) {
                y.data()[p * spatial + i] = x.data()[p * spatial + i] + bv;
            }
        }
        return y;
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        checkSame(a, b, "mul");
        Tensor y = Tensor.zeros(a.shape());
        for (int i = 0; i < y.numel(); i++) {
            y.data()[i] = a.data()[i] * b.data()[i];
        }
        return y;
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        return map(x, v -> v * s);
    }

    @Override
    public Tensor nchwToNlc(Tensor x) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = Tensor.zeros(n, h * w, c);
        for (int ni = 0; ni < n; ni++) {
            for (int ci = 0; ci < c; ci++) {
                for (int p = 0; p < h * w; p++) {
                    y.data()[(ni * h * w + p) * c + ci] = x.data()[(ni * c + ci) * h * w + p];
                }
            }
        }
        return y;
    }

    @Override
    public Tensor nlcToNchw(Tensor x, int h, int w) {
        int n = x.dim(0), c = x.dim(2);
        if (x.dim(1) != h * w) {
            throw new IllegalArgumentException("nlcToNchw: " + x + " is not " + h + "x" + w);
        }
        Tensor y = Tensor.zeros(n, c, h, w);
        for (int ni = 0; ni < n; ni++) {
            for (int ci = 0; ci < c; ci++) {
                for (int p = 0; p < h * w; p++) {
                    y.data()[(ni * c + ci) * h * w + p] = x.data()[(ni * h * w + p) * c + ci];
                }
            }
        }
        return y;
    }

    @Override
    public Tensor timestepEmbedding(float[] timesteps, int dim, boolean flipSinToCos, float downscaleFreqShift,
            float scale, int maxPeriod) {
        int half = dim / 2;
        Tensor y = Tensor.zeros(timesteps.length, dim);
        float[] freqs = new float[half];
        float logMax = (float) -Math.log(maxPeriod);
        for (int i = 0; i < half; i++) {
            // float32 like torch: (-ln(maxPeriod) * arange(half)) / (half - shift), then exp
            float exponent = (logMax * i) / (half - downscaleFreqShift);
            freqs[i] = (float) Math.exp(exponent);
        }
        for (int n = 0; n < timesteps.length; n++) {
            for (int i = 0; i < half; i++) {
                float arg = timesteps[n] * freqs[i];
                arg = scale * arg;
                float s = (float) Math.sin(arg), c = (float) Math.cos(arg);
                int row = n * dim;
                if (flipSinToCos) {
                    y.data()[row + i] = c;
                    y.data()[row + half + i] = s;
                } else {
                    y.data()[row + i] = s;
                    y.data()[row + half + i] = c;
                }
            }
        }
        return y;
    }

    private static void checkSame(Tensor a, Tensor b, String op) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(op + ": shapes differ " + a + " vs " + b);
        }
    }

    @Override
    public String toString() {
        return "ReferenceOps";
    }
}

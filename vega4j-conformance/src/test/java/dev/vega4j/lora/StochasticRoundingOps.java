package dev.vega4j.lora;

import dev.vega4j.tensor.ReferenceOps;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;
import java.util.SplittableRandom;

/**
 * {@link ReferenceOps}' arithmetic (double accumulation, one rounding per output element) with that one rounding done
 * stochastically: the double result goes to the float below or above it with probabilities proportional to the
 * distance, so every stored value is an unbiased estimate of the exact one. The mean of many such runs converges
 * (to first order) to the exact-arithmetic network output, with error shrinking as 1/sqrt(runs) - an evaluation more
 * accurate than any single float32 run, used only to measure how close two float32 results are to the truth.
 * Layout-only ops (upsampling, concatenation, transposes) and the timestep embedding (float32 by definition in
 * diffusers) are delegated unchanged.
 */
final class StochasticRoundingOps implements TensorOps {
    private static final ReferenceOps EXACT_LAYOUT = new ReferenceOps();
    private final SplittableRandom rnd;

    StochasticRoundingOps(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    float sr(double x) {
        float f = (float) x;
        if (f == x || Float.isInfinite(f) || Double.isNaN(x)) {
            return f;
        }
        float other = x > f ? Math.nextUp(f) : Math.nextDown(f);
        double p = (x - f) / ((double) other - f);
        return rnd.nextDouble() < p ? other : f;
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int k = x.dim(-1), n = weight.dim(0), m = x.numel() / k;
        int[] shape = x.shape();
        shape[shape.length - 1] = n;
        Tensor y = Tensor.zeros(shape);
        float[] xd = x.data(), wd = weight.toFloat32().data(), yd = y.data();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0 : bias.data()[j];
                for (int p = 0; p < k; p++) {
                    s += (double) xd[i * k + p] * wd[j * k + p];
                }
                yd[i * n + j] = sr(s);
            }
        }
        return y;
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int batch = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        Tensor y = Tensor.zeros(batch, m, n);
        for (int bi = 0; bi < batch; bi++) {
            int ao = bi * m * k, bo = (b.dim(0) == 1 ? 0 : bi) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += (double) a.data()[ao + i * k + p] * b.data()[bo + p * n + j];
                    }
                    y.data()[(bi * m + i) * n + j] = sr(s);
                }
            }
        }
        return y;
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int o = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
        int oh = (h + 2 * padding - kh) / stride + 1, ow = (w + 2 * padding - kw) / stride + 1;
        Tensor y = Tensor.zeros(n, o, oh, ow);
        float[] xd = x.data(), wd = weight.toFloat32().data(), yd = y.data();
        for (int ni = 0; ni < n; ni++) {
            for (int oc = 0; oc < o; oc++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bias == null ? 0 : bias.data()[oc];
                        for (int ic = 0; ic < c; ic++) {
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * stride - padding + ky;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * stride - padding + kx;
                                    if (ix >= 0 && ix < w) {
                                        s += (double) xd[((ni * c + ic) * h + iy) * w + ix]
                                                * wd[((oc * c + ic) * kh + ky) * kw + kx];
                                    }
                                }
                            }
                        }
                        yd[((ni * o + oc) * oh + oy) * ow + ox] = sr(s);
                    }
                }
            }
        }
        return y;
    }

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, float eps, boolean silu) {
        int n = x.dim(0), c = x.dim(1), spatial = x.numel() / (n * c), per = c / groups * spatial;
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        for (int ni = 0; ni < n; ni++) {
            for (int g = 0; g < groups; g++) {
                int base = (ni * c + g * (c / groups)) * spatial;
                double sum = 0, sq = 0;
                for (int i = 0; i < per; i++) {
                    sum += xd[base + i];
                }
                double mean = sum / per;
                for (int i = 0; i < per; i++) {
                    sq += (xd[base + i] - mean) * (xd[base + i] - mean);
                }
                double inv = 1.0 / Math.sqrt(sq / per + eps);
                for (int i = 0; i < per; i++) {
                    int ch = g * (c / groups) + i / spatial;
                    double v = (xd[base + i] - mean) * inv;
                    if (gamma != null) {
                        v = v * gamma.data()[ch] + beta.data()[ch];
                    }
                    // torch rounds the norm output, then SiLU: two roundings
                    yd[base + i] = silu ? sr(siluD(sr(v))) : sr(v);
                }
            }
        }
        return y;
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int c = x.dim(-1), rows = x.numel() / c;
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            double sum = 0, sq = 0;
            for (int i = 0; i < c; i++) {
                sum += xd[base + i];
            }
            double mean = sum / c;
            for (int i = 0; i < c; i++) {
                sq += (xd[base + i] - mean) * (xd[base + i] - mean);
            }
            double inv = 1.0 / Math.sqrt(sq / c + eps);
            for (int i = 0; i < c; i++) {
                double v = (xd[base + i] - mean) * inv;
                if (gamma != null) {
                    v *= gamma.data()[i];
                }
                if (beta != null) {
                    v += beta.data()[i];
                }
                yd[base + i] = sr(v);
            }
        }
        return y;
    }

    @Override
    public Tensor softmax(Tensor x) {
        int c = x.dim(-1), rows = x.numel() / c;
        Tensor y = Tensor.zeros(x.shape());
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < c; i++) {
                max = Math.max(max, x.data()[r * c + i]);
            }
            double[] e = new double[c];
            for (int i = 0; i < c; i++) {
                e[i] = x.data()[r * c + i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(x.data()[r * c + i] - max);
                sum += e[i];
            }
            for (int i = 0; i < c; i++) {
                y.data()[r * c + i] = sr(e[i] / sum);
            }
        }
        return y;
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, float scale, boolean causal) {
        int b = q.dim(0), tq = q.dim(1), inner = q.dim(2), tk = k.dim(1), d = inner / heads;
        Tensor y = Tensor.zeros(b, tq, inner);
        float[] qd = q.data(), kd = k.data(), vd = v.data(), yd = y.data();
        double[] s = new double[tk];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tq; i++) {
                    int qo = (bi * tq + i) * inner + h * d;
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < tk; j++) {
                        if (causal && j > i) {
                            s[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int p = 0; p < d; p++) {
                            dot += (double) qd[qo + p] * kd[(bi * tk + j) * inner + h * d + p];
                        }
                        s[j] = dot * scale;
                        max = Math.max(max, s[j]);
                    }
                    for (int j = 0; j < tk; j++) {
                        s[j] = s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int p = 0; p < d; p++) {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) {
                            acc += s[j] * vd[(bi * tk + j) * inner + h * d + p];
                        }
                        yd[qo + p] = sr(acc / sum);
                    }
                }
            }
        }
        return y;
    }

    private static double siluD(double v) {
        return v / (1.0 + Math.exp(-v));
    }

    private static double geluD(double v) {
        return 0.5 * v * (1.0 + dev.vega4j.tensor.Erf.erf(v / Math.sqrt(2.0)));
    }

    private interface Fn {
        double apply(double v);
    }

    private Tensor map(Tensor x, Fn f) {
        Tensor y = Tensor.zeros(x.shape());
        for (int i = 0; i < y.numel(); i++) {
            y.data()[i] = sr(f.apply(x.data()[i]));
        }
        return y;
    }

    @Override
    public Tensor silu(Tensor x) {
        return map(x, StochasticRoundingOps::siluD);
    }

    @Override
    public Tensor gelu(Tensor x) {
        return map(x, StochasticRoundingOps::geluD);
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        return map(x, v -> 0.5 * v * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (v + 0.044715 * v * v * v))));
    }

    @Override
    public Tensor quickGelu(Tensor x) {
        return map(x, v -> v / (1.0 + Math.exp(-1.702 * v)));
    }

    @Override
    public Tensor geglu(Tensor x) {
        int two = x.dim(-1), d = two / 2, rows = x.numel() / two;
        int[] shape = x.shape();
        shape[shape.length - 1] = d;
        Tensor y = Tensor.zeros(shape);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < d; i++) {
                // torch: gelu(gate) rounded, then the product rounded
                y.data()[r * d + i] = sr(x.data()[r * two + i] * (double) sr(geluD(x.data()[r * two + d + i])));
            }
        }
        return y;
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return EXACT_LAYOUT.upsampleNearest(x, outH, outW);
    }

    @Override
    public Tensor concatChannels(Tensor a, Tensor b) {
        return EXACT_LAYOUT.concatChannels(a, b);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        Tensor y = Tensor.zeros(a.shape());
        for (int i = 0; i < y.numel(); i++) {
            y.data()[i] = sr((double) a.data()[i] + b.data()[i]);
        }
        return y;
    }

    @Override
    public Tensor addInPlace(Tensor a, Tensor b) {
        for (int i = 0; i < a.numel(); i++) {
            a.data()[i] = sr((double) a.data()[i] + b.data()[i]);
        }
        return a;
    }

    @Override
    public Tensor addChannelBias(Tensor x, Tensor b) {
        int n = x.dim(0), c = x.dim(1), spatial = x.numel() / (n * c);
        Tensor y = Tensor.zeros(x.shape());
        for (int p = 0; p < n * c; p++) {
            for (int i = 0; i < spatial; i++) {
                y.data()[p * spatial + i] = sr((double) x.data()[p * spatial + i] + b.data()[p]);
            }
        }
        return y;
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        Tensor y = Tensor.zeros(a.shape());
        for (int i = 0; i < y.numel(); i++) {
            y.data()[i] = sr((double) a.data()[i] * b.data()[i]);
        }
        return y;
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        return map(x, v -> v * s);
    }

    @Override
    public Tensor nchwToNlc(Tensor x) {
        return EXACT_LAYOUT.nchwToNlc(x);
    }

    @Override
    public Tensor nlcToNchw(Tensor x, int h, int w) {
        return EXACT_LAYOUT.nlcToNchw(x, h, w);
    }

    @Override
    public Tensor timestepEmbedding(float[] t, int dim, boolean flip, float shift, float scale, int maxPeriod) {
        return EXACT_LAYOUT.timestepEmbedding(t, dim, flip, shift, scale, maxPeriod);
    }
}

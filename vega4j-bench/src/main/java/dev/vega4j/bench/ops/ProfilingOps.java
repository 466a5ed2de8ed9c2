package dev.vega4j.bench.ops;

import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link TensorOps} that forwards every op to another one and adds up wall time and calls per op kind (convolutions
 * by kernel and stride), so {@code vega bench --profile-ops} can say where a phase's time goes. Time spent outside the
 * ops (Java glue, allocation of model-level tensors) shows as the difference to the phase's total.
 */
public final class ProfilingOps implements TensorOps {
    private final TensorOps inner;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** Totals of one op kind: nanoseconds, calls, and direct flops where the op is compute-bound. */
    public static final class Entry {
        final LongAdder nanos = new LongAdder();
        final LongAdder calls = new LongAdder();
        final java.util.concurrent.atomic.DoubleAdder flops = new java.util.concurrent.atomic.DoubleAdder();
    }

    public ProfilingOps(TensorOps inner) {
        this.inner = inner;
    }

    public TensorOps inner() {
        return inner;
    }

    /** Forgets everything recorded so far. */
    public void reset() {
        entries.clear();
    }

    private <T> T timed(String kind, double flops, java.util.function.Supplier<T> op) {
        long t0 = System.nanoTime();
        T r = op.get();
        Entry e = entries.computeIfAbsent(kind, k -> new Entry());
        e.nanos.add(System.nanoTime() - t0);
        e.calls.increment();
        e.flops.add(flops);
        return r;
    }

    /** One line per op kind, most time first: seconds, share, calls, GFLOPS (compute-bound kinds). */
    public String table() {
        List<Map.Entry<String, Entry>> list = new ArrayList<>(entries.entrySet());
        list.sort((a, b) -> Long.compare(b.getValue().nanos.sum(), a.getValue().nanos.sum()));
        double total = 0;
        for (var e : list) {
            total += e.getValue().nanos.sum() / 1e9;
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-26s %9s %7s %7s %9s%n", "op", "seconds",
                "share", "calls", "GFLOPS"));
        for (var e : list) {
            double s = e.getValue().nanos.sum() / 1e9, f = e.getValue().flops.sum();
            sb.append(String.format(Locale.ROOT, "  %-26s %9.3f %6.1f%% %7d %9s%n", e.getKey(), s, 100 * s / total,
                    e.getValue().calls.sum(), f > 0 ? String.format(Locale.ROOT, "%.1f", f / s / 1e9) : "-"));
        }
        sb.append(String.format(Locale.ROOT, "  %-26s %9.3f%n", "all ops", total));
        return sb.toString();
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        double f = 2.0 * x.numel() / x.dim(-1) * weight.numel();
        return timed("linear", f, () -> inner.linear(x, weight, bias));
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        double f = 2.0 * a.numel() * b.dim(2);
        return timed("matmul", f, () -> inner.matmul(a, b));
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        int kh = weight.dim(2), kw = weight.dim(3);
        long oh = (x.dim(2) + 2L * padding - kh) / stride + 1, ow = (x.dim(3) + 2L * padding - kw) / stride + 1;
        double f = 2.0 * x.dim(0) * weight.numel() * oh * ow;
        return timed("conv2d " + kh + "x" + kw + (stride == 1 ? "" : " stride " + stride), f,
                () -> inner.conv2d(x, weight, bias, stride, padding));
    }

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, float eps, boolean silu) {
        return timed(silu ? "groupNorm+silu" : "groupNorm", 0,
                () -> inner.groupNorm(x, groups, gamma, beta, eps, silu));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return timed("layerNorm", 0, () -> inner.layerNorm(x, gamma, beta, eps));
    }

    @Override
    public Tensor softmax(Tensor x) {
        return timed("softmax", 0, () -> inner.softmax(x));
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, float scale, boolean causal) {
        double f = 4.0 * q.numel() * k.dim(1);
        return timed("attention", f, () -> inner.attention(q, k, v, heads, scale, causal));
    }

    @Override
    public Tensor silu(Tensor x) {
        return timed("silu", 0, () -> inner.silu(x));
    }

    @Override
    public Tensor gelu(Tensor x) {
        return timed("gelu", 0, () -> inner.gelu(x));
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        return timed("geluTanh", 0, () -> inner.geluTanh(x));
    }

    @Override
    public Tensor quickGelu(Tensor x) {
        return timed("quickGelu", 0, () -> inner.quickGelu(x));
    }

    @Override
    public Tensor geglu(Tensor x) {
        return timed("geglu", 0, () -> inner.geglu(x));
    }

    @Override
    public Tensor upsampleNearest(Tensor x, int outH, int outW) {
        return timed("upsampleNearest", 0, () -> inner.upsampleNearest(x, outH, outW));
    }

    @Override
    public Tensor concatChannels(Tensor a, Tensor b) {
        return timed("concatChannels", 0, () -> inner.concatChannels(a, b));
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return timed("add", 0, () -> inner.add(a, b));
    }

    @Override
    public Tensor addInPlace(Tensor a, Tensor b) {
        return timed("addInPlace", 0, () -> inner.addInPlace(a, b));
    }

    @Override
    public Tensor addChannelBias(Tensor x, Tensor b) {
        return timed("addChannelBias", 0, () -> inner.addChannelBias(x, b));
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return timed("mul", 0, () -> inner.mul(a, b));
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        return timed("scale", 0, () -> inner.scale(x, s));
    }

    @Override
    public Tensor nchwToNlc(Tensor x) {
        return timed("nchwToNlc", 0, () -> inner.nchwToNlc(x));
    }

    @Override
    public Tensor nlcToNchw(Tensor x, int h, int w) {
        return timed("nlcToNchw", 0, () -> inner.nlcToNchw(x, h, w));
    }

    @Override
    public Tensor timestepEmbedding(float[] timesteps, int dim, boolean flipSinToCos, float downscaleFreqShift,
            float scale, int maxPeriod) {
        return timed("timestepEmbedding", 0,
                () -> inner.timestepEmbedding(timesteps, dim, flipSinToCos, downscaleFreqShift, scale, maxPeriod));
    }

    @Override
    public void weightChanged(Tensor weight) {
        inner.weightChanged(weight);
    }

    @Override
    public String toString() {
        return "ProfilingOps(" + inner + ")";
    }
}

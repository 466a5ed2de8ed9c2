package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;

/** Small batch-layout helpers the pipelines need (torch's repeat / cat on the last dim). */
final class BatchOps {
    private BatchOps() {}

    /** {@code x.repeat(n, 1, ...)}: the whole batch repeated n times (equal to repeat_interleave for batch 1). */
    static Tensor repeatBatch(Tensor x, int n) {
        if (n == 1) {
            return x;
        }
        Tensor[] parts = new Tensor[n];
        java.util.Arrays.fill(parts, x);
        return Tensor.cat0(parts);
    }

    /**
     * diffusers' {@code t.repeat(1, n, 1).view(b * n, ...)}: every batch entry repeated n times in place
     * ({@code [a, a, b, b]} for n = 2).
     */
    static Tensor repeatEach(Tensor x, int n) {
        if (n == 1) {
            return x;
        }
        int b = x.dim(0);
        int inner = x.numel() / b;
        int[] shape = x.shape();
        shape[0] = b * n;
        Tensor out = Tensor.zeros(shape);
        for (int i = 0; i < b; i++) {
            for (int r = 0; r < n; r++) {
                System.arraycopy(x.data(), i * inner, out.data(), (i * n + r) * inner, inner);
            }
        }
        return out;
    }

    /** {@code torch.concat([a, b], dim=-1)} for tensors equal in every other dimension. */
    static Tensor catLast(Tensor a, Tensor b) {
        int ca = a.dim(-1), cb = b.dim(-1);
        int rows = a.numel() / ca;
        if (rows != b.numel() / cb) {
            throw new IllegalArgumentException("catLast: " + a + " vs " + b);
        }
        int[] shape = a.shape();
        shape[shape.length - 1] = ca + cb;
        Tensor out = Tensor.zeros(shape);
        float[] o = out.data();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a.data(), r * ca, o, r * (ca + cb), ca);
            System.arraycopy(b.data(), r * cb, o, r * (ca + cb) + ca, cb);
        }
        return out;
    }
}

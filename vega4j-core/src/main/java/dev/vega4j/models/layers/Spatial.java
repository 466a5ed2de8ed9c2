package dev.vega4j.models.layers;

import dev.vega4j.tensor.Tensor;

/** Small layout helpers (copies, no arithmetic) that the blocks need and {@code TensorOps} does not offer. */
public final class Spatial {
    private Spatial() {}

    /** NCHW zero-padded by one row at the bottom and one column at the right. */
    public static Tensor padBottomRight(Tensor x) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = Tensor.zeros(n, c, h + 1, w + 1);
        float[] src = x.data(), dst = y.data();
        for (int p = 0; p < n * c; p++) {
            for (int r = 0; r < h; r++) {
                System.arraycopy(src, (p * h + r) * w, dst, (p * (h + 1) + r) * (w + 1), w);
            }
        }
        return y;
    }

    /** Channels {@code [from, to)} of an NCHW (or [N, C, ...]) tensor. */
    public static Tensor channels(Tensor x, int from, int to) {
        int n = x.dim(0), c = x.dim(1);
        int spatial = x.numel() / (n * c);
        int[] s = x.shape();
        s[1] = to - from;
        Tensor y = Tensor.zeros(s);
        for (int i = 0; i < n; i++) {
            System.arraycopy(x.data(), (i * c + from) * spatial, y.data(), i * (to - from) * spatial,
                    (to - from) * spatial);
        }
        return y;
    }

    /** Concatenation along the last dimension of two [B, X] tensors. */
    public static Tensor concatLast(Tensor a, Tensor b) {
        int rows = a.dim(0), ca = a.numel() / rows, cb = b.numel() / rows;
        if (b.dim(0) != rows) {
            throw new IllegalArgumentException("concatLast: " + a + " and " + b);
        }
        Tensor y = Tensor.zeros(rows, ca + cb);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a.data(), r * ca, y.data(), r * (ca + cb), ca);
            System.arraycopy(b.data(), r * cb, y.data(), r * (ca + cb) + ca, cb);
        }
        return y;
    }
}

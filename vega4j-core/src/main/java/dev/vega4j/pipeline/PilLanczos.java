package dev.vega4j.pipeline;

/**
 * {@code PIL.Image.resize(size, Image.LANCZOS)} for 8-bit channels, reproduced value for value from Pillow's
 * {@code libImaging/Resample.c}: separable Lanczos-3 (support scaled by the downscale factor), coefficients normalised
 * per output pixel and quantised to 22-bit fixed point, a horizontal pass (rounded to 8 bits) over the rows the
 * vertical pass needs, then the vertical pass. diffusers' VaeImageProcessor resizes init images and masks this way.
 */
final class PilLanczos {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 3.0;

    private PilLanczos() {}

    /** Resizes one 8-bit plane {@code [h][w]} (row-major) to {@code outW x outH}. Same size returns a copy. */
    static int[] resize(int[] in, int inW, int inH, int outW, int outH) {
        boolean horizontal = outW != inW;
        boolean vertical = outH != inH;
        if (!horizontal && !vertical) {
            return in.clone();
        }
        Coeffs ch = Coeffs.compute(inW, outW);
        Coeffs cv = Coeffs.compute(inH, outH);
        int[] src = in;
        int srcW = inW;
        int yFirst = 0;
        if (horizontal) {
            // Only the source rows the vertical pass reads (Pillow's ybox_first..ybox_last).
            int first = vertical ? cv.min[0] : 0;
            int last = vertical ? cv.min[outH - 1] + cv.len[outH - 1] : inH;
            int rows = last - first;
            int[] tmp = new int[rows * outW];
            for (int y = 0; y < rows; y++) {
                int rowOff = (y + first) * inW;
                for (int x = 0; x < outW; x++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    int xmin = ch.min[x], n = ch.len[x], kOff = x * ch.ksize;
                    for (int i = 0; i < n; i++) {
                        ss += in[rowOff + xmin + i] * ch.k[kOff + i];
                    }
                    tmp[y * outW + x] = clip8(ss);
                }
            }
            src = tmp;
            srcW = outW;
            yFirst = first;
        }
        if (!vertical) {
            return src;
        }
        int[] out = new int[outH * outW];
        for (int y = 0; y < outH; y++) {
            int ymin = cv.min[y] - yFirst, n = cv.len[y], kOff = y * cv.ksize;
            for (int x = 0; x < outW; x++) {
                int ss = 1 << (PRECISION_BITS - 1);
                for (int i = 0; i < n; i++) {
                    ss += src[(ymin + i) * srcW + x] * cv.k[kOff + i];
                }
                out[y * outW + x] = clip8(ss);
            }
        }
        return out;
    }

    private static int clip8(int v) {
        int s = v >> PRECISION_BITS;
        return s < 0 ? 0 : Math.min(s, 255);
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x = x * Math.PI;
        return Math.sin(x) / x;
    }

    private static double lanczos(double x) {
        return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
    }

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for box (0, inSize). */
    private record Coeffs(int ksize, int[] min, int[] len, int[] k) {
        static Coeffs compute(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterscale = Math.max(scale, 1.0);
            double support = SUPPORT * filterscale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] mins = new int[outSize], lens = new int[outSize], kk = new int[outSize * ksize];
            double[] pre = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ww = 0.0;
                double ss = 1.0 / filterscale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                for (int x = 0; x < xmax; x++) {
                    double w = lanczos((x + xmin - center + 0.5) * ss);
                    pre[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? pre[x] / ww : pre[x];
                    kk[xx * ksize + x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS)
                            : 0.5 + v * (1 << PRECISION_BITS));
                }
                mins[xx] = xmin;
                lens[xx] = xmax;
            }
            return new Coeffs(ksize, mins, lens, kk);
        }
    }
}

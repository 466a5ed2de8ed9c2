package dev.vega4j.tensor.kernels;

/** conv2d as an implicit GEMM: out[img] (O x OH·OW) = W (O x C·kh·kw) · im2col(x[img]). */
public final class Conv {
    private Conv() {}

    /**
     * Convolves x [n, c, h, w] with the packed weight (O rows, C·kh·kw columns) plus bias [O] (null = none) into
     * out [n, O, oh, ow], overwriting it.
     */
    public static void conv2d(float[] x, int n, int c, int h, int w, Gemm.PackedA weight, float[] bias, int kh, int kw,
            int stride, int pad, float[] out, int oh, int ow, Parallel par) {
        int o = weight.m();
        PanelSource[] sources = new PanelSource[n];
        int[] offs = new int[n];
        boolean pointwise = kh == 1 && kw == 1 && stride == 1 && pad == 0;
        for (int i = 0; i < n; i++) {
            int base = i * c * h * w;
            sources[i] = pointwise ? new Sources.RowMajor(x, base, c, h * w, h * w)
                    : new Sources.Im2col(x, base, c, h, w, kh, kw, stride, pad, oh, ow);
            offs[i] = i * o * oh * ow;
        }
        Gemm.residentA(weight, sources, bias, out, offs, oh * ow, par);
    }
}

package dev.vega4j.tensor.kernels;

/**
 * The B operand of a GEMM (logically K x N), read one packed panel at a time. Packing goes through this seam so a
 * source can convert on the fly (fp16/bf16 weights later, im2col rows for convolutions now) and the driver never
 * needs the whole operand materialised.
 */
interface PanelSource {

    /** K, the reduction length. */
    int rows();

    /** N, the number of output columns. */
    int cols();

    /**
     * Writes B[k0 .. k0+kc) x [n0 .. n0+NR) k-major into {@code dst[dstOff + k * NR + j]}; columns at or past
     * {@link #cols()} are zero.
     */
    void pack(int k0, int kc, int n0, float[] dst, int dstOff);
}

package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.GemmKernels.NR;
import static dev.vega4j.tensor.kernels.Lanes.S;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/** The {@link PanelSource}s the ops need. */
final class Sources {
    private Sources() {}

    /** B = Wᵀ for a row-major W [N, K] (PyTorch Linear weight layout). */
    record Transposed(float[] w, int off, int k, int n) implements PanelSource {
        @Override
        public int rows() {
            return k;
        }

        @Override
        public int cols() {
            return n;
        }

        @Override
        public void pack(int k0, int kc, int n0, float[] dst, int dstOff) {
            int valid = Math.min(NR, n - n0);
            // blocks of 16 k keep both the 32 source rows and the destination lines in L1
            for (int kb = 0; kb < kc; kb += 16) {
                int ke = Math.min(kc, kb + 16);
                for (int j = 0; j < valid; j++) {
                    int src = off + (n0 + j) * k + k0;
                    for (int kk = kb; kk < ke; kk++) {
                        dst[dstOff + kk * NR + j] = w[src + kk];
                    }
                }
            }
            if (valid < NR) {
                for (int kk = 0; kk < kc; kk++) {
                    Arrays.fill(dst, dstOff + kk * NR + valid, dstOff + kk * NR + NR, 0f);
                }
            }
        }
    }

    /** B row-major [K, N] with leading dimension ld. */
    record RowMajor(float[] b, int off, int k, int n, int ld) implements PanelSource {
        @Override
        public int rows() {
            return k;
        }

        @Override
        public int cols() {
            return n;
        }

        @Override
        public void pack(int k0, int kc, int n0, float[] dst, int dstOff) {
            int valid = Math.min(NR, n - n0);
            if (valid == NR) {
                for (int kk = 0; kk < kc; kk++) {
                    int src = off + (k0 + kk) * ld + n0;
                    for (int v = 0; v < NR; v += L) {
                        FloatVector.fromArray(S, b, src + v).intoArray(dst, dstOff + kk * NR + v);
                    }
                }
            } else {
                for (int kk = 0; kk < kc; kk++) {
                    int src = off + (k0 + kk) * ld + n0;
                    int d = dstOff + kk * NR;
                    System.arraycopy(b, src, dst, d, valid);
                    Arrays.fill(dst, d + valid, d + NR, 0f);
                }
            }
        }
    }

    /**
     * The im2col matrix of one image of an NCHW input, never materialised: row k = (c, ky, kx), column = output
     * position oy * OW + ox, value x[c, oy·s − p + ky, ox·s − p + kx] or 0 outside the image.
     */
    record Im2col(float[] x, int base, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow)
            implements PanelSource {
        @Override
        public int rows() {
            return c * kh * kw;
        }

        @Override
        public int cols() {
            return oh * ow;
        }

        @Override
        public void pack(int k0, int kc, int n0, float[] dst, int dstOff) {
            int taps = kh * kw;
            int ci = k0 / taps, r = k0 % taps, ky = r / kw, kx = r % kw;
            int oy0 = n0 / ow, ox0 = n0 % ow;
            boolean oneRow = ox0 + NR <= ow;
            int[] oys = null, oxs = null;
            if (!oneRow) {
                oys = new int[NR];
                oxs = new int[NR];
                for (int j = 0; j < NR; j++) {
                    int nn = n0 + j;
                    oys[j] = nn < oh * ow ? nn / ow : -1;
                    oxs[j] = nn % ow;
                }
            }
            for (int kk = 0; kk < kc; kk++) {
                int d = dstOff + kk * NR;
                int plane = base + ci * h * w;
                if (oneRow) {
                    int iy = oy0 * stride - pad + ky;
                    if (iy < 0 || iy >= h) {
                        Arrays.fill(dst, d, d + NR, 0f);
                    } else if (stride == 1) {
                        int ix0 = ox0 - pad + kx;
                        int row = plane + iy * w;
                        if (ix0 >= 0 && ix0 + NR <= w) {
                            for (int v = 0; v < NR; v += L) {
                                FloatVector.fromArray(S, x, row + ix0 + v).intoArray(dst, d + v);
                            }
                        } else {
                            copyClipped(x, row, ix0, w, dst, d);
                        }
                    } else {
                        copyStrided(x, plane + iy * w, ox0 * stride - pad + kx, stride, w, dst, d);
                    }
                } else {
                    for (int j = 0; j < NR; j++) {
                        int oy = oys[j];
                        int iy = oy * stride - pad + ky, ix = oxs[j] * stride - pad + kx;
                        dst[d + j] = oy >= 0 && iy >= 0 && iy < h && ix >= 0 && ix < w ? x[plane + iy * w + ix] : 0f;
                    }
                }
                if (++kx == kw) {
                    kx = 0;
                    if (++ky == kh) {
                        ky = 0;
                        ci++;
                    }
                }
            }
        }

        /** dst[d + j] = x[row + ix0 + j] for 0 <= ix0 + j < w, else 0 (the image border). */
        private static void copyClipped(float[] x, int row, int ix0, int w, float[] dst, int d) {
            int lo = Math.max(0, -ix0), hi = Math.min(NR, w - ix0);
            if (hi <= lo) {
                Arrays.fill(dst, d, d + NR, 0f);
                return;
            }
            Arrays.fill(dst, d, d + lo, 0f);
            System.arraycopy(x, row + ix0 + lo, dst, d + lo, hi - lo);
            Arrays.fill(dst, d + hi, d + NR, 0f);
        }

        /** dst[d + j] = x[row + ix0 + j·stride] inside the row, else 0: the valid j range first, then a plain loop. */
        private static void copyStrided(float[] x, int row, int ix0, int stride, int w, float[] dst, int d) {
            // j valid when 0 <= ix0 + j*stride < w
            int lo = ix0 >= 0 ? 0 : (-ix0 + stride - 1) / stride;
            int hi = ix0 >= w ? 0 : Math.min(NR, (w - 1 - ix0) / stride + 1);
            if (hi <= lo) {
                Arrays.fill(dst, d, d + NR, 0f);
                return;
            }
            Arrays.fill(dst, d, d + lo, 0f);
            for (int j = lo, src = row + ix0 + lo * stride; j < hi; j++, src += stride) {
                dst[d + j] = x[src];
            }
            Arrays.fill(dst, d + hi, d + NR, 0f);
        }
    }
}

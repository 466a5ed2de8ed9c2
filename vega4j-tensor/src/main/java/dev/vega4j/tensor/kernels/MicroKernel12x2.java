package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;

import jdk.incubator.vector.FloatVector;

/**
 * The 12 x 2-vector register tile (12 x 32 on AVX-512, 12 x 16 on AVX2): 24 accumulators, 2 B
 * vectors and one broadcast A value live in registers. Unrolled mechanically from the one template every
 * {@link MicroKernel} shares (see there for the contract: one fused multiply-add per k in ascending k order).
 */
final class MicroKernel12x2 implements MicroKernel {

    @Override
    public int mr() {
        return 12;
    }

    @Override
    public int vectors() {
        return 2;
    }

    @Override
    public void kernelPacked(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] c, int cOff,
            int ldc) {
        FloatVector c0_0 = FloatVector.fromArray(S, c, cOff + 0 * ldc);
        FloatVector c0_1 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 1 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, c, cOff + 1 * ldc);
        FloatVector c1_1 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 1 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c2_1 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 1 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c3_1 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 1 * L);
        FloatVector c4_0 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
        FloatVector c4_1 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 1 * L);
        FloatVector c5_0 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
        FloatVector c5_1 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 1 * L);
        FloatVector c6_0 = FloatVector.fromArray(S, c, cOff + 6 * ldc);
        FloatVector c6_1 = FloatVector.fromArray(S, c, cOff + 6 * ldc + 1 * L);
        FloatVector c7_0 = FloatVector.fromArray(S, c, cOff + 7 * ldc);
        FloatVector c7_1 = FloatVector.fromArray(S, c, cOff + 7 * ldc + 1 * L);
        FloatVector c8_0 = FloatVector.fromArray(S, c, cOff + 8 * ldc);
        FloatVector c8_1 = FloatVector.fromArray(S, c, cOff + 8 * ldc + 1 * L);
        FloatVector c9_0 = FloatVector.fromArray(S, c, cOff + 9 * ldc);
        FloatVector c9_1 = FloatVector.fromArray(S, c, cOff + 9 * ldc + 1 * L);
        FloatVector c10_0 = FloatVector.fromArray(S, c, cOff + 10 * ldc);
        FloatVector c10_1 = FloatVector.fromArray(S, c, cOff + 10 * ldc + 1 * L);
        FloatVector c11_0 = FloatVector.fromArray(S, c, cOff + 11 * ldc);
        FloatVector c11_1 = FloatVector.fromArray(S, c, cOff + 11 * ldc + 1 * L);
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, a[ao + 8]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, a[ao + 9]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, a[ao + 10]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, a[ao + 11]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
            ao += 12;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c4_0.intoArray(c, cOff + 4 * ldc);
        c4_1.intoArray(c, cOff + 4 * ldc + 1 * L);
        c5_0.intoArray(c, cOff + 5 * ldc);
        c5_1.intoArray(c, cOff + 5 * ldc + 1 * L);
        c6_0.intoArray(c, cOff + 6 * ldc);
        c6_1.intoArray(c, cOff + 6 * ldc + 1 * L);
        c7_0.intoArray(c, cOff + 7 * ldc);
        c7_1.intoArray(c, cOff + 7 * ldc + 1 * L);
        c8_0.intoArray(c, cOff + 8 * ldc);
        c8_1.intoArray(c, cOff + 8 * ldc + 1 * L);
        c9_0.intoArray(c, cOff + 9 * ldc);
        c9_1.intoArray(c, cOff + 9 * ldc + 1 * L);
        c10_0.intoArray(c, cOff + 10 * ldc);
        c10_1.intoArray(c, cOff + 10 * ldc + 1 * L);
        c11_0.intoArray(c, cOff + 11 * ldc);
        c11_1.intoArray(c, cOff + 11 * ldc + 1 * L);
    }

    @Override
    public void kernelPackedInit(float[] a, int aOff, float[] b, int bOff, int bStride, int kc,
            float[] init, int initOff, float[] c, int cOff, int ldc) {
        FloatVector i0 = FloatVector.fromArray(S, init, initOff);
        FloatVector i1 = FloatVector.fromArray(S, init, initOff + 1 * L);
        FloatVector c0_0 = i0, c0_1 = i1;
        FloatVector c1_0 = i0, c1_1 = i1;
        FloatVector c2_0 = i0, c2_1 = i1;
        FloatVector c3_0 = i0, c3_1 = i1;
        FloatVector c4_0 = i0, c4_1 = i1;
        FloatVector c5_0 = i0, c5_1 = i1;
        FloatVector c6_0 = i0, c6_1 = i1;
        FloatVector c7_0 = i0, c7_1 = i1;
        FloatVector c8_0 = i0, c8_1 = i1;
        FloatVector c9_0 = i0, c9_1 = i1;
        FloatVector c10_0 = i0, c10_1 = i1;
        FloatVector c11_0 = i0, c11_1 = i1;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, a[ao + 8]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, a[ao + 9]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, a[ao + 10]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, a[ao + 11]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
            ao += 12;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c4_0.intoArray(c, cOff + 4 * ldc);
        c4_1.intoArray(c, cOff + 4 * ldc + 1 * L);
        c5_0.intoArray(c, cOff + 5 * ldc);
        c5_1.intoArray(c, cOff + 5 * ldc + 1 * L);
        c6_0.intoArray(c, cOff + 6 * ldc);
        c6_1.intoArray(c, cOff + 6 * ldc + 1 * L);
        c7_0.intoArray(c, cOff + 7 * ldc);
        c7_1.intoArray(c, cOff + 7 * ldc + 1 * L);
        c8_0.intoArray(c, cOff + 8 * ldc);
        c8_1.intoArray(c, cOff + 8 * ldc + 1 * L);
        c9_0.intoArray(c, cOff + 9 * ldc);
        c9_1.intoArray(c, cOff + 9 * ldc + 1 * L);
        c10_0.intoArray(c, cOff + 10 * ldc);
        c10_1.intoArray(c, cOff + 10 * ldc + 1 * L);
        c11_0.intoArray(c, cOff + 11 * ldc);
        c11_1.intoArray(c, cOff + 11 * ldc + 1 * L);
    }

    @Override
    public void kernelPackedRowInit(float[] a, int aOff, float[] b, int bOff, int bStride, int kc,
            float[] init, int initOff, float[] c, int cOff, int ldc) {
        FloatVector c0_0 = FloatVector.broadcast(S, init[initOff + 0]), c0_1 = c0_0;
        FloatVector c1_0 = FloatVector.broadcast(S, init[initOff + 1]), c1_1 = c1_0;
        FloatVector c2_0 = FloatVector.broadcast(S, init[initOff + 2]), c2_1 = c2_0;
        FloatVector c3_0 = FloatVector.broadcast(S, init[initOff + 3]), c3_1 = c3_0;
        FloatVector c4_0 = FloatVector.broadcast(S, init[initOff + 4]), c4_1 = c4_0;
        FloatVector c5_0 = FloatVector.broadcast(S, init[initOff + 5]), c5_1 = c5_0;
        FloatVector c6_0 = FloatVector.broadcast(S, init[initOff + 6]), c6_1 = c6_0;
        FloatVector c7_0 = FloatVector.broadcast(S, init[initOff + 7]), c7_1 = c7_0;
        FloatVector c8_0 = FloatVector.broadcast(S, init[initOff + 8]), c8_1 = c8_0;
        FloatVector c9_0 = FloatVector.broadcast(S, init[initOff + 9]), c9_1 = c9_0;
        FloatVector c10_0 = FloatVector.broadcast(S, init[initOff + 10]), c10_1 = c10_0;
        FloatVector c11_0 = FloatVector.broadcast(S, init[initOff + 11]), c11_1 = c11_0;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, a[ao + 8]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, a[ao + 9]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, a[ao + 10]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, a[ao + 11]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
            ao += 12;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c4_0.intoArray(c, cOff + 4 * ldc);
        c4_1.intoArray(c, cOff + 4 * ldc + 1 * L);
        c5_0.intoArray(c, cOff + 5 * ldc);
        c5_1.intoArray(c, cOff + 5 * ldc + 1 * L);
        c6_0.intoArray(c, cOff + 6 * ldc);
        c6_1.intoArray(c, cOff + 6 * ldc + 1 * L);
        c7_0.intoArray(c, cOff + 7 * ldc);
        c7_1.intoArray(c, cOff + 7 * ldc + 1 * L);
        c8_0.intoArray(c, cOff + 8 * ldc);
        c8_1.intoArray(c, cOff + 8 * ldc + 1 * L);
        c9_0.intoArray(c, cOff + 9 * ldc);
        c9_1.intoArray(c, cOff + 9 * ldc + 1 * L);
        c10_0.intoArray(c, cOff + 10 * ldc);
        c10_1.intoArray(c, cOff + 10 * ldc + 1 * L);
        c11_0.intoArray(c, cOff + 11 * ldc);
        c11_1.intoArray(c, cOff + 11 * ldc + 1 * L);
    }

    @Override
    public void kernelRowsA(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] c, int cOff,
            int ldc) {
        FloatVector c0_0 = FloatVector.fromArray(S, c, cOff + 0 * ldc);
        FloatVector c0_1 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 1 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, c, cOff + 1 * ldc);
        FloatVector c1_1 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 1 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c2_1 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 1 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c3_1 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 1 * L);
        FloatVector c4_0 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
        FloatVector c4_1 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 1 * L);
        FloatVector c5_0 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
        FloatVector c5_1 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 1 * L);
        FloatVector c6_0 = FloatVector.fromArray(S, c, cOff + 6 * ldc);
        FloatVector c6_1 = FloatVector.fromArray(S, c, cOff + 6 * ldc + 1 * L);
        FloatVector c7_0 = FloatVector.fromArray(S, c, cOff + 7 * ldc);
        FloatVector c7_1 = FloatVector.fromArray(S, c, cOff + 7 * ldc + 1 * L);
        FloatVector c8_0 = FloatVector.fromArray(S, c, cOff + 8 * ldc);
        FloatVector c8_1 = FloatVector.fromArray(S, c, cOff + 8 * ldc + 1 * L);
        FloatVector c9_0 = FloatVector.fromArray(S, c, cOff + 9 * ldc);
        FloatVector c9_1 = FloatVector.fromArray(S, c, cOff + 9 * ldc + 1 * L);
        FloatVector c10_0 = FloatVector.fromArray(S, c, cOff + 10 * ldc);
        FloatVector c10_1 = FloatVector.fromArray(S, c, cOff + 10 * ldc + 1 * L);
        FloatVector c11_0 = FloatVector.fromArray(S, c, cOff + 11 * ldc);
        FloatVector c11_1 = FloatVector.fromArray(S, c, cOff + 11 * ldc + 1 * L);
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1 * ROW_A_STRIDE]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2 * ROW_A_STRIDE]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3 * ROW_A_STRIDE]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4 * ROW_A_STRIDE]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5 * ROW_A_STRIDE]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6 * ROW_A_STRIDE]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7 * ROW_A_STRIDE]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, a[ao + 8 * ROW_A_STRIDE]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, a[ao + 9 * ROW_A_STRIDE]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, a[ao + 10 * ROW_A_STRIDE]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, a[ao + 11 * ROW_A_STRIDE]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
            ao += 1;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c4_0.intoArray(c, cOff + 4 * ldc);
        c4_1.intoArray(c, cOff + 4 * ldc + 1 * L);
        c5_0.intoArray(c, cOff + 5 * ldc);
        c5_1.intoArray(c, cOff + 5 * ldc + 1 * L);
        c6_0.intoArray(c, cOff + 6 * ldc);
        c6_1.intoArray(c, cOff + 6 * ldc + 1 * L);
        c7_0.intoArray(c, cOff + 7 * ldc);
        c7_1.intoArray(c, cOff + 7 * ldc + 1 * L);
        c8_0.intoArray(c, cOff + 8 * ldc);
        c8_1.intoArray(c, cOff + 8 * ldc + 1 * L);
        c9_0.intoArray(c, cOff + 9 * ldc);
        c9_1.intoArray(c, cOff + 9 * ldc + 1 * L);
        c10_0.intoArray(c, cOff + 10 * ldc);
        c10_1.intoArray(c, cOff + 10 * ldc + 1 * L);
        c11_0.intoArray(c, cOff + 11 * ldc);
        c11_1.intoArray(c, cOff + 11 * ldc + 1 * L);
    }
}

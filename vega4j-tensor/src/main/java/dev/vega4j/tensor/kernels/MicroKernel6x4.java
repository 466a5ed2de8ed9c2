package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;

import jdk.incubator.vector.FloatVector;

/**
 * The 6 x 4-vector register tile (6 x 64 on AVX-512, 6 x 32 on AVX2): 24 accumulators, 4 B
 * vectors and one broadcast A value live in registers. Unrolled mechanically from the one template every
 * {@link MicroKernel} shares (see there for the contract: one fused multiply-add per k in ascending k order).
 */
final class MicroKernel6x4 implements MicroKernel {

    @Override
    public int mr() {
        return 6;
    }

    @Override
    public int vectors() {
        return 4;
    }

    @Override
    public void kernelPacked(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] c, int cOff,
            int ldc) {
        FloatVector c0_0 = FloatVector.fromArray(S, c, cOff + 0 * ldc);
        FloatVector c0_1 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 1 * L);
        FloatVector c0_2 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 2 * L);
        FloatVector c0_3 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 3 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, c, cOff + 1 * ldc);
        FloatVector c1_1 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 1 * L);
        FloatVector c1_2 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 2 * L);
        FloatVector c1_3 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 3 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c2_1 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 1 * L);
        FloatVector c2_2 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 2 * L);
        FloatVector c2_3 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 3 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c3_1 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 1 * L);
        FloatVector c3_2 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 2 * L);
        FloatVector c3_3 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 3 * L);
        FloatVector c4_0 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
        FloatVector c4_1 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 1 * L);
        FloatVector c4_2 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 2 * L);
        FloatVector c4_3 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 3 * L);
        FloatVector c5_0 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
        FloatVector c5_1 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 1 * L);
        FloatVector c5_2 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 2 * L);
        FloatVector c5_3 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 3 * L);
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            c0_3 = a0.fma(b3, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            c1_3 = a1.fma(b3, c1_3);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            c2_3 = a2.fma(b3, c2_3);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            c3_3 = a3.fma(b3, c3_3);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            c4_2 = a4.fma(b2, c4_2);
            c4_3 = a4.fma(b3, c4_3);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            c5_2 = a5.fma(b2, c5_2);
            c5_3 = a5.fma(b3, c5_3);
            ao += 6;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c0_2.intoArray(c, cOff + 0 * ldc + 2 * L);
        c0_3.intoArray(c, cOff + 0 * ldc + 3 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c1_2.intoArray(c, cOff + 1 * ldc + 2 * L);
        c1_3.intoArray(c, cOff + 1 * ldc + 3 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c2_2.intoArray(c, cOff + 2 * ldc + 2 * L);
        c2_3.intoArray(c, cOff + 2 * ldc + 3 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c3_2.intoArray(c, cOff + 3 * ldc + 2 * L);
        c3_3.intoArray(c, cOff + 3 * ldc + 3 * L);
        c4_0.intoArray(c, cOff + 4 * ldc);
        c4_1.intoArray(c, cOff + 4 * ldc + 1 * L);
        c4_2.intoArray(c, cOff + 4 * ldc + 2 * L);
        c4_3.intoArray(c, cOff + 4 * ldc + 3 * L);
        c5_0.intoArray(c, cOff + 5 * ldc);
        c5_1.intoArray(c, cOff + 5 * ldc + 1 * L);
        c5_2.intoArray(c, cOff + 5 * ldc + 2 * L);
        c5_3.intoArray(c, cOff + 5 * ldc + 3 * L);
    }

    @Override
    public void kernelPackedInit(float[] a, int aOff, float[] b, int bOff, int bStride, int kc,
            float[] init, int initOff, float[] c, int cOff, int ldc) {
        FloatVector i0 = FloatVector.fromArray(S, init, initOff);
        FloatVector i1 = FloatVector.fromArray(S, init, initOff + 1 * L);
        FloatVector i2 = FloatVector.fromArray(S, init, initOff + 2 * L);
        FloatVector i3 = FloatVector.fromArray(S, init, initOff + 3 * L);
        FloatVector c0_0 = i0, c0_1 = i1, c0_2 = i2, c0_3 = i3;
        FloatVector c1_0 = i0, c1_1 = i1, c1_2 = i2, c1_3 = i3;
        FloatVector c2_0 = i0, c2_1 = i1, c2_2 = i2, c2_3 = i3;
        FloatVector c3_0 = i0, c3_1 = i1, c3_2 = i2, c3_3 = i3;
        FloatVector c4_0 = i0, c4_1 = i1, c4_2 = i2, c4_3 = i3;
        FloatVector c5_0 = i0, c5_1 = i1, c5_2 = i2, c5_3 = i3;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            c0_3 = a0.fma(b3, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            c1_3 = a1.fma(b3, c1_3);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            c2_3 = a2.fma(b3, c2_3);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            c3_3 = a3.fma(b3, c3_3);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            c4_2 = a4.fma(b2, c4_2);
            c4_3 = a4.fma(b3, c4_3);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            c5_2 = a5.fma(b2, c5_2);
            c5_3 = a5.fma(b3, c5_3);
            ao += 6;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c0_2.intoArray(c, cOff + 0 * ldc + 2 * L);
        c0_3.intoArray(c, cOff + 0 * ldc + 3 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c1_2.intoArray(c, cOff + 1 * ldc + 2 * L);
        c1_3.intoArray(c, cOff + 1 * ldc + 3 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c2_2.intoArray(c, cOff + 2 * ldc + 2 * L);
        c2_3.intoArray(c, cOff + 2 * ldc + 3 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c3_2.intoArray(c, cOff + 3 * ldc + 2 * L);
        c3_3.intoArray(c, cOff + 3 * ldc + 3 * L);
        c4_0.intoArray(c, cOff + 4 * ldc);
        c4_1.intoArray(c, cOff + 4 * ldc + 1 * L);
        c4_2.intoArray(c, cOff + 4 * ldc + 2 * L);
        c4_3.intoArray(c, cOff + 4 * ldc + 3 * L);
        c5_0.intoArray(c, cOff + 5 * ldc);
        c5_1.intoArray(c, cOff + 5 * ldc + 1 * L);
        c5_2.intoArray(c, cOff + 5 * ldc + 2 * L);
        c5_3.intoArray(c, cOff + 5 * ldc + 3 * L);
    }

    @Override
    public void kernelPackedRowInit(float[] a, int aOff, float[] b, int bOff, int bStride, int kc,
            float[] init, int initOff, float[] c, int cOff, int ldc) {
        FloatVector c0_0 = FloatVector.broadcast(S, init[initOff + 0]), c0_1 = c0_0, c0_2 = c0_0, c0_3 = c0_0;
        FloatVector c1_0 = FloatVector.broadcast(S, init[initOff + 1]), c1_1 = c1_0, c1_2 = c1_0, c1_3 = c1_0;
        FloatVector c2_0 = FloatVector.broadcast(S, init[initOff + 2]), c2_1 = c2_0, c2_2 = c2_0, c2_3 = c2_0;
        FloatVector c3_0 = FloatVector.broadcast(S, init[initOff + 3]), c3_1 = c3_0, c3_2 = c3_0, c3_3 = c3_0;
        FloatVector c4_0 = FloatVector.broadcast(S, init[initOff + 4]), c4_1 = c4_0, c4_2 = c4_0, c4_3 = c4_0;
        FloatVector c5_0 = FloatVector.broadcast(S, init[initOff + 5]), c5_1 = c5_0, c5_2 = c5_0, c5_3 = c5_0;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            c0_3 = a0.fma(b3, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            c1_3 = a1.fma(b3, c1_3);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            c2_3 = a2.fma(b3, c2_3);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            c3_3 = a3.fma(b3, c3_3);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            c4_2 = a4.fma(b2, c4_2);
            c4_3 = a4.fma(b3, c4_3);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            c5_2 = a5.fma(b2, c5_2);
            c5_3 = a5.fma(b3, c5_3);
            ao += 6;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c0_2.intoArray(c, cOff + 0 * ldc + 2 * L);
        c0_3.intoArray(c, cOff + 0 * ldc + 3 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c1_2.intoArray(c, cOff + 1 * ldc + 2 * L);
        c1_3.intoArray(c, cOff + 1 * ldc + 3 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c2_2.intoArray(c, cOff + 2 * ldc + 2 * L);
        c2_3.intoArray(c, cOff + 2 * ldc + 3 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c3_2.intoArray(c, cOff + 3 * ldc + 2 * L);
        c3_3.intoArray(c, cOff + 3 * ldc + 3 * L);
        c4_0.intoArray(c, cOff + 4 * ldc);
        c4_1.intoArray(c, cOff + 4 * ldc + 1 * L);
        c4_2.intoArray(c, cOff + 4 * ldc + 2 * L);
        c4_3.intoArray(c, cOff + 4 * ldc + 3 * L);
        c5_0.intoArray(c, cOff + 5 * ldc);
        c5_1.intoArray(c, cOff + 5 * ldc + 1 * L);
        c5_2.intoArray(c, cOff + 5 * ldc + 2 * L);
        c5_3.intoArray(c, cOff + 5 * ldc + 3 * L);
    }

    @Override
    public void kernelRowsA(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] c, int cOff,
            int ldc) {
        FloatVector c0_0 = FloatVector.fromArray(S, c, cOff + 0 * ldc);
        FloatVector c0_1 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 1 * L);
        FloatVector c0_2 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 2 * L);
        FloatVector c0_3 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 3 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, c, cOff + 1 * ldc);
        FloatVector c1_1 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 1 * L);
        FloatVector c1_2 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 2 * L);
        FloatVector c1_3 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 3 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c2_1 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 1 * L);
        FloatVector c2_2 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 2 * L);
        FloatVector c2_3 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 3 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c3_1 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 1 * L);
        FloatVector c3_2 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 2 * L);
        FloatVector c3_3 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 3 * L);
        FloatVector c4_0 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
        FloatVector c4_1 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 1 * L);
        FloatVector c4_2 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 2 * L);
        FloatVector c4_3 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 3 * L);
        FloatVector c5_0 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
        FloatVector c5_1 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 1 * L);
        FloatVector c5_2 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 2 * L);
        FloatVector c5_3 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 3 * L);
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            c0_3 = a0.fma(b3, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1 * ROW_A_STRIDE]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            c1_3 = a1.fma(b3, c1_3);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2 * ROW_A_STRIDE]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            c2_3 = a2.fma(b3, c2_3);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3 * ROW_A_STRIDE]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            c3_3 = a3.fma(b3, c3_3);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4 * ROW_A_STRIDE]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            c4_2 = a4.fma(b2, c4_2);
            c4_3 = a4.fma(b3, c4_3);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5 * ROW_A_STRIDE]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            c5_2 = a5.fma(b2, c5_2);
            c5_3 = a5.fma(b3, c5_3);
            ao += 1;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c0_2.intoArray(c, cOff + 0 * ldc + 2 * L);
        c0_3.intoArray(c, cOff + 0 * ldc + 3 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c1_2.intoArray(c, cOff + 1 * ldc + 2 * L);
        c1_3.intoArray(c, cOff + 1 * ldc + 3 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c2_2.intoArray(c, cOff + 2 * ldc + 2 * L);
        c2_3.intoArray(c, cOff + 2 * ldc + 3 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c3_2.intoArray(c, cOff + 3 * ldc + 2 * L);
        c3_3.intoArray(c, cOff + 3 * ldc + 3 * L);
        c4_0.intoArray(c, cOff + 4 * ldc);
        c4_1.intoArray(c, cOff + 4 * ldc + 1 * L);
        c4_2.intoArray(c, cOff + 4 * ldc + 2 * L);
        c4_3.intoArray(c, cOff + 4 * ldc + 3 * L);
        c5_0.intoArray(c, cOff + 5 * ldc);
        c5_1.intoArray(c, cOff + 5 * ldc + 1 * L);
        c5_2.intoArray(c, cOff + 5 * ldc + 2 * L);
        c5_3.intoArray(c, cOff + 5 * ldc + 3 * L);
    }
}

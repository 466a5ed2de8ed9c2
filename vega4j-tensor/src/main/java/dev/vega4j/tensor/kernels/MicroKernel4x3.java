package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;

import jdk.incubator.vector.FloatVector;

/**
 * The 4 x 3-vector register tile (4 x 48 on AVX-512, 4 x 24 on AVX2): 12 accumulators, 3 B
 * vectors and one broadcast A value live in registers. Unrolled mechanically from the one template every
 * {@link MicroKernel} shares (see there for the contract: one fused multiply-add per k in ascending k order).
 */
final class MicroKernel4x3 implements MicroKernel {

    @Override
    public int mr() {
        return 4;
    }

    @Override
    public int vectors() {
        return 3;
    }

    @Override
    public void kernelPacked(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] c, int cOff,
            int ldc) {
        FloatVector c0_0 = FloatVector.fromArray(S, c, cOff + 0 * ldc);
        FloatVector c0_1 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 1 * L);
        FloatVector c0_2 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 2 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, c, cOff + 1 * ldc);
        FloatVector c1_1 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 1 * L);
        FloatVector c1_2 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 2 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c2_1 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 1 * L);
        FloatVector c2_2 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 2 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c3_1 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 1 * L);
        FloatVector c3_2 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 2 * L);
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            ao += 4;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c0_2.intoArray(c, cOff + 0 * ldc + 2 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c1_2.intoArray(c, cOff + 1 * ldc + 2 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c2_2.intoArray(c, cOff + 2 * ldc + 2 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c3_2.intoArray(c, cOff + 3 * ldc + 2 * L);
    }

    @Override
    public void kernelPackedInit(float[] a, int aOff, float[] b, int bOff, int bStride, int kc,
            float[] init, int initOff, float[] c, int cOff, int ldc) {
        FloatVector i0 = FloatVector.fromArray(S, init, initOff);
        FloatVector i1 = FloatVector.fromArray(S, init, initOff + 1 * L);
        FloatVector i2 = FloatVector.fromArray(S, init, initOff + 2 * L);
        FloatVector c0_0 = i0, c0_1 = i1, c0_2 = i2;
        FloatVector c1_0 = i0, c1_1 = i1, c1_2 = i2;
        FloatVector c2_0 = i0, c2_1 = i1, c2_2 = i2;
        FloatVector c3_0 = i0, c3_1 = i1, c3_2 = i2;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            ao += 4;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c0_2.intoArray(c, cOff + 0 * ldc + 2 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c1_2.intoArray(c, cOff + 1 * ldc + 2 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c2_2.intoArray(c, cOff + 2 * ldc + 2 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c3_2.intoArray(c, cOff + 3 * ldc + 2 * L);
    }

    @Override
    public void kernelPackedRowInit(float[] a, int aOff, float[] b, int bOff, int bStride, int kc,
            float[] init, int initOff, float[] c, int cOff, int ldc) {
        FloatVector c0_0 = FloatVector.broadcast(S, init[initOff + 0]), c0_1 = c0_0, c0_2 = c0_0;
        FloatVector c1_0 = FloatVector.broadcast(S, init[initOff + 1]), c1_1 = c1_0, c1_2 = c1_0;
        FloatVector c2_0 = FloatVector.broadcast(S, init[initOff + 2]), c2_1 = c2_0, c2_2 = c2_0;
        FloatVector c3_0 = FloatVector.broadcast(S, init[initOff + 3]), c3_1 = c3_0, c3_2 = c3_0;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            ao += 4;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c0_2.intoArray(c, cOff + 0 * ldc + 2 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c1_2.intoArray(c, cOff + 1 * ldc + 2 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c2_2.intoArray(c, cOff + 2 * ldc + 2 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c3_2.intoArray(c, cOff + 3 * ldc + 2 * L);
    }

    @Override
    public void kernelRowsA(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] c, int cOff,
            int ldc) {
        FloatVector c0_0 = FloatVector.fromArray(S, c, cOff + 0 * ldc);
        FloatVector c0_1 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 1 * L);
        FloatVector c0_2 = FloatVector.fromArray(S, c, cOff + 0 * ldc + 2 * L);
        FloatVector c1_0 = FloatVector.fromArray(S, c, cOff + 1 * ldc);
        FloatVector c1_1 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 1 * L);
        FloatVector c1_2 = FloatVector.fromArray(S, c, cOff + 1 * ldc + 2 * L);
        FloatVector c2_0 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
        FloatVector c2_1 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 1 * L);
        FloatVector c2_2 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 2 * L);
        FloatVector c3_0 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
        FloatVector c3_1 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 1 * L);
        FloatVector c3_2 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 2 * L);
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1 * ROW_A_STRIDE]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2 * ROW_A_STRIDE]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3 * ROW_A_STRIDE]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            ao += 1;
            bo += bStride;
        }
        c0_0.intoArray(c, cOff + 0 * ldc);
        c0_1.intoArray(c, cOff + 0 * ldc + 1 * L);
        c0_2.intoArray(c, cOff + 0 * ldc + 2 * L);
        c1_0.intoArray(c, cOff + 1 * ldc);
        c1_1.intoArray(c, cOff + 1 * ldc + 1 * L);
        c1_2.intoArray(c, cOff + 1 * ldc + 2 * L);
        c2_0.intoArray(c, cOff + 2 * ldc);
        c2_1.intoArray(c, cOff + 2 * ldc + 1 * L);
        c2_2.intoArray(c, cOff + 2 * ldc + 2 * L);
        c3_0.intoArray(c, cOff + 3 * ldc);
        c3_1.intoArray(c, cOff + 3 * ldc + 1 * L);
        c3_2.intoArray(c, cOff + 3 * ldc + 2 * L);
    }
}

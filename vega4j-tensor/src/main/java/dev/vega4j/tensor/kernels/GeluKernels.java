package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;
import static dev.vega4j.tensor.kernels.VMath.*;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The two passes of {@link VMath#gelu(float[], int, float[], int, int)}, kept out of line (the {@code kernel}
 * prefix: never inlined) so each stays within C2's inlining node budget on its own.
 */
final class GeluKernels {
    private GeluKernels() {}

    /** Pass 1a: inner = 1 + erf(z) for |z| <= 0.46875 (Cody range 1), computed for every lane. */
    static void kernelInner(float[] in, float[] innerOut, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector x = FloatVector.fromArray(S, in, i);
            FloatVector z = x.mul(INV_SQRT2);
            FloatVector y = z.abs();
            FloatVector ys = y.min(0.46875f);
            FloatVector ysq = ys.mul(ys);
            FloatVector num1 = ysq.fma(A4, A0).fma(ysq, c(A1)).fma(ysq, c(A2)).fma(ysq, c(A3));
            FloatVector den1 = ysq.add(B0).fma(ysq, c(B1)).fma(ysq, c(B2)).fma(ysq, c(B3));
            z.mul(num1).div(den1).add(1f).intoArray(innerOut, i);
        }
    }

    /** Pass 1b: the rational factor of erfc(|z|) in Cody's range 2 (|z| up to 4), for every lane. */
    static void kernelRange2(float[] in, float[] ratOut, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector ym = FloatVector.fromArray(S, in, i).abs().mul(INV_SQRT2).max(0.46875f).min(4f);
            FloatVector num2 = ym.fma(C8, C0).fma(ym, c(C1)).fma(ym, c(C2)).fma(ym, c(C3)).fma(ym, c(C4))
                    .fma(ym, c(C5)).fma(ym, c(C6)).fma(ym, c(C7));
            FloatVector den2 = ym.add(D0).fma(ym, c(D1)).fma(ym, c(D2)).fma(ym, c(D3)).fma(ym, c(D4)).fma(ym, c(D5))
                    .fma(ym, c(D6)).fma(ym, c(D7));
            num2.div(den2).intoArray(ratOut, i);
        }
    }

    /** Pass 1c: lanes with |z| > 4 take Cody's range 3 (asymptotic) factor instead. */
    static void kernelRange3(float[] in, float[] rat, int nv) {
        for (int i = 0; i < nv; i += L) {
            FloatVector y = FloatVector.fromArray(S, in, i).abs().mul(INV_SQRT2);
            FloatVector yt = y.max(4f).min(10f);
            FloatVector isq = c(1f).div(yt.mul(yt));
            FloatVector num3 = isq.fma(P5, P0).fma(isq, c(P1)).fma(isq, c(P2)).fma(isq, c(P3)).fma(isq, c(P4));
            FloatVector den3 = isq.add(Q0).fma(isq, c(Q1)).fma(isq, c(Q2)).fma(isq, c(Q3)).fma(isq, c(Q4));
            FloatVector far = isq.mul(num3).div(den3).neg().add(SQRPI).div(yt);
            FloatVector.fromArray(S, rat, i).blend(far, y.compare(VectorOperators.GT, 4f)).intoArray(rat, i);
        }
    }

    /** Pass 2: erfc = exp(-z²)·rat, the sign cases, and 0.5·x·(1 + erf); the result overwrites {@code in}. */
    static void kernelCombine(float[] in, float[] inner, float[] rat, int nv) {
        float clampHi = 10f * (float) Math.sqrt(2), clampLo = 0.46875f * (float) Math.sqrt(2);
        for (int i = 0; i < nv; i += L) {
            FloatVector x = FloatVector.fromArray(S, in, i);
            FloatVector ax = x.abs();
            // exp(-y²) with y² = x²/2 taken from x (exact hi + lo split by fma, exact halving): rounding z = x/√2
            // first would cost 1e-5 relative in exp(-y²) at y ≈ 8; erfc(y > 10) is below the smallest float
            FloatVector axc = ax.min(clampHi).max(clampLo);
            FloatVector hi = axc.mul(axc);
            FloatVector lo = axc.fma(axc, hi.neg());
            FloatVector erfc = exp(hi.mul(-0.5f)).mul(lo.mul(-0.5f).add(1f)).mul(FloatVector.fromArray(S, rat, i))
                    .blend(0f, ax.compare(VectorOperators.GT, clampHi));
            FloatVector outer = erfc.neg().add(2f).blend(erfc, x.compare(VectorOperators.LT, 0f));
            FloatVector onePlusErf = outer.blend(FloatVector.fromArray(S, inner, i),
                    ax.compare(VectorOperators.LE, clampLo));
            x.mul(0.5f).mul(onePlusErf).intoArray(in, i);
        }
    }

}

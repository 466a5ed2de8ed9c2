package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Vectorised float activations. */
public final class VMath {
    private VMath() {}

    static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    // W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 1969: the coefficients of
    // ranges 2 and 3 of dev.vega4j.tensor.Erf, evaluated in float (all terms positive: no cancellation); range 2
    // also covers range 1 here (see GeluKernels).
    private static final float[] C = f(5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
            2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03,
            1.23033935479799725e03, 2.15311535474403846e-8);
    private static final float[] D = f(1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
            1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03,
            1.23033935480374942e03);
    private static final float[] P = f(3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
            1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2);
    private static final float[] Q = f(2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
            6.05183413124413191e-2, 2.33520497626869185e-3);
    static final float SQRPI = (float) 5.6418958354775628695e-1;
    static final float C0 = C[0];
    static final float C1 = C[1];
    static final float C2 = C[2];
    static final float C3 = C[3];
    static final float C4 = C[4];
    static final float C5 = C[5];
    static final float C6 = C[6];
    static final float C7 = C[7];
    static final float C8 = C[8];
    static final float D0 = D[0];
    static final float D1 = D[1];
    static final float D2 = D[2];
    static final float D3 = D[3];
    static final float D4 = D[4];
    static final float D5 = D[5];
    static final float D6 = D[6];
    static final float D7 = D[7];
    static final float P0 = P[0];
    static final float P1 = P[1];
    static final float P2 = P[2];
    static final float P3 = P[3];
    static final float P4 = P[4];
    static final float P5 = P[5];
    static final float Q0 = Q[0];
    static final float Q1 = Q[1];
    static final float Q2 = Q[2];
    static final float Q3 = Q[3];
    static final float Q4 = Q[4];

    private static float[] f(double... d) {
        float[] r = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = (float) d[i];
        }
        return r;
    }

    private static final float LOG2E = (float) (1 / Math.log(2));
    private static final float LN2_HI = 0.693145751953125f; // ln 2 with its low 12 bits zero: n · LN2_HI is exact
    private static final float LN2_LO = (float) (Math.log(2) - 0.693145751953125);
    private static final float ROUND_MAGIC = 12582912f; // 1.5 · 2^23: adding it rounds to an integer (ties to even)

    /**
     * e^x in float from plain lane arithmetic (no {@code VectorOperators.EXP}): the JDK's EXP is an SVML call once
     * C2 has compiled the loop but a scalar {@code Math.exp} before, and the two disagree in the last bit, which
     * would make results depend on JIT timing and so on the thread split. Cody-Waite reduction x = n ln2 + r,
     * |r| <= ln2/2, the degree-7 Taylor polynomial (remainder below 6e-9 relative), then 2^n applied in two halves
     * so results down to the subnormal range round once. Within 2 ulp of the true value.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector e = expClamped(x.max(-104f).min(88.8f));
        e = e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, 88.8f));
        e = e.blend(0f, x.compare(VectorOperators.LT, -104f));
        return e.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /**
     * e^x for x <= 0 (softmax's x - max), bit-identical to {@link #exp(FloatVector)} there (NaN lanes stay NaN): the
     * upper clamp and the overflow and NaN blends cannot change such a lane, so they are left out.
     */
    public static FloatVector expNonPositive(FloatVector x) {
        return expClamped(x.max(-104f)).blend(0f, x.compare(VectorOperators.LT, -104f));
    }

    /** The core of {@link #exp(FloatVector)} for xc in [-104, 88.8]. */
    private static FloatVector expClamped(FloatVector xc) {
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(c(-LN2_HI), xc);
        r = n.fma(c(-LN2_LO), r);
        FloatVector p = r.fma(1f / 5040, 1f / 720);
        p = p.fma(r, c(1f / 120));
        p = p.fma(r, c(1f / 24));
        p = p.fma(r, c(1f / 6));
        p = p.fma(r, c(0.5f));
        p = p.fma(r, c(1f));
        p = p.fma(r, c(1f));
        IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND_MAGIC));
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** Scalar e^x, bit-identical to a lane of {@link #exp(FloatVector)}. */
    public static float exp(float x) {
        return exp(FloatVector.broadcast(S, x)).lane(0);
    }

    /** SiLU x·sigmoid(x) = x / (1 + e^-x). */
    public static FloatVector silu(FloatVector x) {
        return x.div(exp(x.neg()).add(1f));
    }

    /** x / (1 + e^(-1.702 x)) (CLIP's quick GELU). */
    public static FloatVector quickGelu(FloatVector x) {
        return x.div(exp(x.mul(-1.702f)).add(1f));
    }

    /**
     * 0.5 x (1 + tanh(u)), u = √(2/π)(x + 0.044715 x³), evaluated as x / (1 + e^(-2u)) (the same function: 1 + tanh u
     * = 2 sigmoid 2u) so the negative tail does not cancel to zero.
     */
    public static FloatVector geluTanh(FloatVector x) {
        FloatVector u = x.mul(x).mul(0.044715f).mul(x).add(x).mul(-2f * SQRT_2_OVER_PI);
        return x.div(exp(u).add(1f));
    }

    /**
     * Exact GELU 0.5 x (1 + erf(x/√2)) over {@code len} elements (any length: blocks go through zero-padded
     * scratch), from erfc(|x|/√2) = e^(-x²/2)·R (see {@link GeluKernels}), so the negative tail keeps its relative
     * accuracy. No data-dependent branches but one that skips a vector where no lane needs Cody's range 3; three
     * passes per block: as one inlined expression the function exceeded C2's inlining node budget, after which vector
     * calls were left un-inlined and boxed (measured 13 ns per element instead of well under 1).
     */
    public static void gelu(float[] x, int xo, float[] y, int yo, int len) {
        gelu(null, 0, x, xo, y, yo, len);
    }

    /** y[yo + i] = a[ao + i] · gelu(g[go + i]) (diffusers GEGLU: hidden · gelu(gate)). */
    public static void geglu(float[] a, int ao, float[] g, int go, float[] y, int yo, int len) {
        gelu(a, ao, g, go, y, yo, len);
    }

    /** gelu(x) into y, times a (when not null) as each block leaves the scratch: one pass over y. */
    private static void gelu(float[] a, int ao, float[] x, int xo, float[] y, int yo, int len) {
        float[] in = new float[BLOCK], rat = new float[BLOCK];
        for (int b = 0; b < len; b += BLOCK) {
            int n = Math.min(BLOCK, len - b);
            System.arraycopy(x, xo + b, in, 0, n);
            if (n < BLOCK) {
                java.util.Arrays.fill(in, n, BLOCK, 0f);
            }
            int nv = (n + L - 1) / L * L;
            GeluKernels.kernelRatio(in, rat, nv);
            GeluKernels.kernelRange3(in, rat, nv);
            if (a == null) {
                GeluKernels.kernelCombine(in, rat, 0, nv);
                System.arraycopy(in, 0, y, yo + b, n);
            } else {
                int whole = n / L * L;
                GeluKernels.kernelCombineMul(in, rat, a, ao + b, y, yo + b, whole);
                if (whole < n) {
                    GeluKernels.kernelCombine(in, rat, whole, nv);
                    for (int i = whole; i < n; i++) {
                        y[yo + b + i] = in[i] * a[ao + b + i];
                    }
                }
            }
        }
    }

    private static final float GELU_CLAMP_HI = 10f * (float) Math.sqrt(2); // erfc(|x|/√2) is below any float beyond

    /**
     * 0.5·x·(1 + erf(x/√2)) from R = erfc(y)·e^(y²), y = |x|/√2: erfc = e^(-x²/2)·R with x²/2 taken from x (exact
     * hi + lo split by fma, exact halving; rounding z = x/√2 first would cost 1e-5 relative in e^(-y²) at y ≈ 8),
     * then 2 - erfc for x >= 0 (no cancellation: erfc <= 1 there) or erfc for x < 0.
     */
    static FloatVector geluFromRatio(FloatVector x, FloatVector q) {
        FloatVector ax = x.abs();
        FloatVector axc = ax.min(GELU_CLAMP_HI);
        FloatVector hi = axc.mul(axc);
        FloatVector lo = axc.fma(axc, hi.neg());
        FloatVector erfc = expNonPositive(hi.mul(-0.5f)).mul(lo.mul(-0.5f).add(1f)).mul(q)
                .blend(0f, ax.compare(VectorOperators.GT, GELU_CLAMP_HI));
        FloatVector onePlusErf = erfc.neg().add(2f).blend(erfc, x.compare(VectorOperators.LT, 0f));
        return x.mul(0.5f).mul(onePlusErf);
    }

    private static final int BLOCK = 256;

    // ---------------------------------------------------------------- array loops (one per function: every vector
    // call inside is static and monomorphic, so C2 inlines it and keeps the vectors unboxed)

    public static void silu(float[] x, int xo, float[] y, int yo, int len) {
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += L) {
            silu(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        if (i < len) {
            VectorMask<Float> m = S.indexInRange(i, len);
            silu(FloatVector.fromArray(S, x, xo + i, m)).intoArray(y, yo + i, m);
        }
    }

    public static void geluTanh(float[] x, int xo, float[] y, int yo, int len) {
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += L) {
            geluTanh(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        if (i < len) {
            VectorMask<Float> m = S.indexInRange(i, len);
            geluTanh(FloatVector.fromArray(S, x, xo + i, m)).intoArray(y, yo + i, m);
        }
    }

    public static void quickGelu(float[] x, int xo, float[] y, int yo, int len) {
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += L) {
            quickGelu(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        if (i < len) {
            VectorMask<Float> m = S.indexInRange(i, len);
            quickGelu(FloatVector.fromArray(S, x, xo + i, m)).intoArray(y, yo + i, m);
        }
    }

    public static void scale(float[] x, int xo, float s, float[] y, int yo, int len) {
        int i = 0;
        for (int end = S.loopBound(len); i < end; i += L) {
            FloatVector.fromArray(S, x, xo + i).mul(s).intoArray(y, yo + i);
        }
        for (; i < len; i++) {
            y[yo + i] = x[xo + i] * s;
        }
    }
}

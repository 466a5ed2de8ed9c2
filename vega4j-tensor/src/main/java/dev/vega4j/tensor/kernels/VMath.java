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

    // erfcx(y) = erfc(y)·e^(y²) on [0, 10] as one rational of degrees 5/6 in y, all coefficients positive (no
    // cancellation in float): a relative minimax fit (Sanathanan-Koerner iteration with Lawson weights on 4000
    // Chebyshev nodes, against scipy's erfcx), within 7.8e-11 relative in double (2.6e-8, half a float ulp, with the
    // coefficients rounded to float), so evaluated in float it is as accurate as the degree-8/8 and asymptotic
    // rationals of W. J. Cody (Math. Comp. 1969) it replaces (about 3e-7 relative worst case from float rounding
    // either way) at 11 fused multiply-adds instead of 16. GeluRationalTest checks it against dev.vega4j.tensor.Erf.
    static final float[] ERFCX_P = f(0.99999999992317679, 1.4323323648514685, 0.99826457471744501,
            0.40097245853008268, 0.092377420285211453, 0.0099505805689639806);
    static final float[] ERFCX_Q = f(1, 2.5607115214795826, 2.8877183378433595, 1.8509529641333093,
            0.71954713950121374, 0.1637335893997863, 0.017636968891371573);
    static final float P0 = ERFCX_P[0];
    static final float P1 = ERFCX_P[1];
    static final float P2 = ERFCX_P[2];
    static final float P3 = ERFCX_P[3];
    static final float P4 = ERFCX_P[4];
    static final float P5 = ERFCX_P[5];
    static final float Q0 = ERFCX_Q[0];
    static final float Q1 = ERFCX_Q[1];
    static final float Q2 = ERFCX_Q[2];
    static final float Q3 = ERFCX_Q[3];
    static final float Q4 = ERFCX_Q[4];
    static final float Q5 = ERFCX_Q[5];
    static final float Q6 = ERFCX_Q[6];

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

    /**
     * e^x where only 1 + e^x is used (the sigmoid's denominator): {@link #exp(FloatVector)} without its blends.
     * Above 88.8 the clamped core overflows to infinity as exp does; below -104 it returns e^-104 rounded (at most
     * the smallest subnormal) instead of 0, and 1 + either is 1; NaN stays NaN. So 1 + e^x has the same bits, for
     * six fewer lane operations.
     */
    static FloatVector expForSigmoid(FloatVector x) {
        return expClamped(x.max(-104f).min(88.8f));
    }

    /**
     * e^x for -87 <= x <= 0, bit-identical to {@link #expNonPositive} there, with one exponent scaling instead of
     * two and no clamp or blend: 2^n is then a normal float (n >= -126), and scaling by powers of two is exact until
     * the one final rounding, whether in one step or two. Attention's softmax takes it for a row whose smallest
     * score is within 87 of the largest (a third fewer lane operations per exponential).
     */
    public static FloatVector expNonPositiveNormal(FloatVector x) {
        FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND_MAGIC));
        return expReduced(x, t).mul(ni.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** e^r for the reduced argument r = xc - n·ln 2, n = t - ROUND_MAGIC: the polynomial part of the exponential. */
    private static FloatVector expReduced(FloatVector xc, FloatVector t) {
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(c(-LN2_HI), xc);
        r = n.fma(c(-LN2_LO), r);
        FloatVector p = r.fma(1f / 5040, 1f / 720);
        p = p.fma(r, c(1f / 120));
        p = p.fma(r, c(1f / 24));
        p = p.fma(r, c(1f / 6));
        p = p.fma(r, c(0.5f));
        p = p.fma(r, c(1f));
        return p.fma(r, c(1f));
    }

    /** The core of {@link #exp(FloatVector)} for xc in [-104, 88.8]. */
    private static FloatVector expClamped(FloatVector xc) {
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector p = expReduced(xc, t);
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
        return x.div(expForSigmoid(x.neg()).add(1f));
    }

    /** x / (1 + e^(-1.702 x)) (CLIP's quick GELU). */
    public static FloatVector quickGelu(FloatVector x) {
        return x.div(expForSigmoid(x.mul(-1.702f)).add(1f));
    }

    /**
     * 0.5 x (1 + tanh(u)), u = √(2/π)(x + 0.044715 x³), evaluated as x / (1 + e^(-2u)) (the same function: 1 + tanh u
     * = 2 sigmoid 2u) so the negative tail does not cancel to zero.
     */
    public static FloatVector geluTanh(FloatVector x) {
        FloatVector u = x.mul(x).mul(0.044715f).mul(x).add(x).mul(-2f * SQRT_2_OVER_PI);
        return x.div(expForSigmoid(u).add(1f));
    }

    /**
     * Exact GELU 0.5 x (1 + erf(x/√2)) over {@code len} elements (any length: blocks go through zero-padded
     * scratch), from erfc(|x|/√2) = e^(-x²/2)·erfcx(|x|/√2) (see {@link GeluKernels}), so the negative tail keeps its
     * relative accuracy. No data-dependent branches; two passes per block, each a {@code kernel*} loop of its own:
     * fused into one loop (the rational, e^x and the blends) it measured 2.3x slower, past C2's inlining node budget,
     * where vector calls are left un-inlined and boxed (Cody's four-range form: 13 ns per element instead of 1).
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
            if (a != null && n == BLOCK) {
                // a whole GEGLU block: both passes read the gate where it is (nothing to pad, nothing overwritten)
                GeluKernels.kernelRatio(x, xo + b, rat, BLOCK);
                GeluKernels.kernelCombineMul(x, xo + b, rat, a, ao + b, y, yo + b, BLOCK);
                continue;
            }
            System.arraycopy(x, xo + b, in, 0, n);
            if (n < BLOCK) {
                java.util.Arrays.fill(in, n, BLOCK, 0f);
            }
            int nv = (n + L - 1) / L * L;
            GeluKernels.kernelRatio(in, 0, rat, nv);
            if (a == null) {
                GeluKernels.kernelCombine(in, rat, 0, nv);
                System.arraycopy(in, 0, y, yo + b, n);
            } else {
                int whole = n / L * L;
                GeluKernels.kernelCombineMul(in, 0, rat, a, ao + b, y, yo + b, whole);
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

package dev.vega4j.schedulers;

/**
 * numpy's float32 {@code np.log} as its AVX2/AVX512F loop computes it ({@code loops_exponent_log.dispatch.c.src},
 * {@code simd_log_FLOAT}): x = m * 2^e with m in [0.5, 1), m doubled when below sqrt(1/2), then a 5/5 rational
 * minimax polynomial in (m - 1) evaluated with FMAs, plus e*ln2. Up to ~3.8 ulp from the true logarithm; diffusers'
 * {@code np.log(sigmas)} on float32 sigmas gives exactly these values, and the interpolated Karras/KDPM2 timesteps
 * depend on them at the 1e-6 level.
 */
final class NumpyLog {
    private NumpyLog() {}

    private static final float P0 = 0.000000000000000000000e+00f;
    private static final float P1 = 9.999999999999998702752e-01f;
    private static final float P2 = 2.112677543073053063722e+00f;
    private static final float P3 = 1.480000633576506585156e+00f;
    private static final float P4 = 3.808837741388407920751e-01f;
    private static final float P5 = 2.589979117907922693523e-02f;
    private static final float Q0 = 1.000000000000000000000e+00f;
    private static final float Q1 = 2.612677543073109236779e+00f;
    private static final float Q2 = 2.453006071784736363091e+00f;
    private static final float Q3 = 9.864942958519418960339e-01f;
    private static final float Q4 = 1.546476374983906719538e-01f;
    private static final float Q5 = 5.875095403124574342950e-03f;
    private static final float LN2 = 0.693147180559945309417232121458176568f;
    private static final float SQRT1_2 = 0.707106781186547524400844362104849039f;

    static float log(float v) {
        if (Float.isNaN(v) || v < 0) {
            return Float.NaN;
        }
        if (v == 0) {
            return Float.NEGATIVE_INFINITY;
        }
        if (Float.isInfinite(v)) {
            return Float.POSITIVE_INFINITY;
        }
        int e;
        float m;
        if (Math.getExponent(v) == Float.MIN_EXPONENT - 1) { // subnormal: normalise first (numpy scales by 2^100)
            float scaled = v * 0x1p100f;
            int bits = Float.floatToRawIntBits(scaled);
            e = ((bits >>> 23) & 0xff) - 126 - 100;
            m = Float.intBitsToFloat((bits & 0x7fffff) | (126 << 23));
        } else {
            int bits = Float.floatToRawIntBits(v);
            e = ((bits >>> 23) & 0xff) - 126;
            m = Float.intBitsToFloat((bits & 0x7fffff) | (126 << 23));
        }
        float exponent = e;
        if (m <= SQRT1_2) {
            m = m + m;
            exponent = exponent - 1f;
        }
        float x = m - 1f;
        float num = Math.fma(P5, x, P4);
        num = Math.fma(num, x, P3);
        num = Math.fma(num, x, P2);
        num = Math.fma(num, x, P1);
        num = Math.fma(num, x, P0);
        float den = Math.fma(Q5, x, Q4);
        den = Math.fma(den, x, Q3);
        den = Math.fma(den, x, Q2);
        den = Math.fma(den, x, Q1);
        den = Math.fma(den, x, Q0);
        return Math.fma(exponent, LN2, num / den);
    }
}

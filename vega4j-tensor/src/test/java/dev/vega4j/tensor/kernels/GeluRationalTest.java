package dev.vega4j.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vega4j.tensor.Erf;
import org.junit.jupiter.api.Test;

/** GELU's erfcx rational (float coefficients, evaluated in double) against Cody's double erfc. */
class GeluRationalTest {
    @Test
    void rationalIsWithinHalfAFloatUlpOfErfcx() {
        double worst = 0, worstY = 0;
        for (int i = 0; i <= 100_000; i++) {
            double y = i * 1e-4; // [0, 10]: every |x|/√2 the GELU does not clamp
            double expected = Erf.erfc(y) * Math.exp(y * y);
            double err = Math.abs(horner(VMath.ERFCX_P, y) / horner(VMath.ERFCX_Q, y) / expected - 1);
            if (err > worst) {
                worst = err;
                worstY = y;
            }
        }
        // the fit itself is within 7.8e-11; rounding the coefficients to float leaves 2.6e-8 (half a float ulp)
        assertTrue(worst < 3e-8, "worst relative error " + worst + " at y = " + worstY);
    }

    private static double horner(float[] c, double y) {
        double s = 0;
        for (int i = c.length - 1; i >= 0; i--) {
            s = s * y + c[i];
        }
        return s;
    }
}

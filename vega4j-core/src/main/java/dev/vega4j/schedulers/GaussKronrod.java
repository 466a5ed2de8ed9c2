package dev.vega4j.schedulers;

import java.util.function.DoubleUnaryOperator;

/**
 * Adaptive Gauss-Kronrod quadrature in double, the QUADPACK scheme scipy's {@code integrate.quad} uses (QAGS: 21-point
 * Kronrod rule with its embedded 10-point Gauss rule, QUADPACK's error estimate, bisection of the worst interval).
 * The 21-point rule is evaluated in QUADPACK's {@code dqk21} order, so for the low-degree polynomials LMS integrates
 * (accepted after the first rule) the result is the same sum scipy computes. Weights: Piessens et al., QUADPACK (1983).
 */
final class GaussKronrod {
    private GaussKronrod() {}

    private static final double[] XGK = {
        0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
        0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
        0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
        0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
        0.294392862701460198131126603103866, 0.148874338981631210884826001129720,
        0.000000000000000000000000000000000};
    private static final double[] WGK = {
        0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
        0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
        0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
        0.123491976262065851077600525478077, 0.134709217311473325928054001771707,
        0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
        0.149445554002916905664936468389821};
    private static final double[] WG = {
        0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
        0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
        0.295524224714752870173892994651338};
    private static final double EPMACH = Math.ulp(1.0);
    private static final double UFLOW = Double.MIN_NORMAL;

    /** One 21-point rule on [a, b]: {result, abserr}. */
    static double[] qk21(DoubleUnaryOperator f, double a, double b) {
        double centr = 0.5 * (a + b);
        double hlgth = 0.5 * (b - a);
        double dhlgth = Math.abs(hlgth);
        double resg = 0;
        double fc = f.applyAsDouble(centr);
        double resk = WGK[10] * fc;
        double resabs = Math.abs(resk);
        double[] fv1 = new double[10], fv2 = new double[10];
        for (int j = 0; j < 5; j++) {
            int jtw = 2 * j + 1;
            double absc = hlgth * XGK[jtw];
            double fval1 = f.applyAsDouble(centr - absc);
            double fval2 = f.applyAsDouble(centr + absc);
            fv1[jtw] = fval1;
            fv2[jtw] = fval2;
            double fsum = fval1 + fval2;
            resg = resg + WG[j] * fsum;
            resk = resk + WGK[jtw] * fsum;
            resabs = resabs + WGK[jtw] * (Math.abs(fval1) + Math.abs(fval2));
        }
        for (int j = 0; j < 5; j++) {
            int jtwm1 = 2 * j;
            double absc = hlgth * XGK[jtwm1];
            double fval1 = f.applyAsDouble(centr - absc);
            double fval2 = f.applyAsDouble(centr + absc);
            fv1[jtwm1] = fval1;
            fv2[jtwm1] = fval2;
            double fsum = fval1 + fval2;
            resk = resk + WGK[jtwm1] * fsum;
            resabs = resabs + WGK[jtwm1] * (Math.abs(fval1) + Math.abs(fval2));
        }
        double reskh = resk * 0.5;
        double resasc = WGK[10] * Math.abs(fc - reskh);
        for (int j = 0; j < 10; j++) {
            resasc = resasc + WGK[j] * (Math.abs(fv1[j] - reskh) + Math.abs(fv2[j] - reskh));
        }
        double result = resk * hlgth;
        resabs = resabs * dhlgth;
        resasc = resasc * dhlgth;
        double abserr = Math.abs((resk - resg) * hlgth);
        if (resasc != 0 && abserr != 0) {
            abserr = resasc * Math.min(1, Math.pow(200 * abserr / resasc, 1.5));
        }
        if (resabs > UFLOW / (50 * EPMACH)) {
            abserr = Math.max((EPMACH * 50) * resabs, abserr);
        }
        return new double[] {result, abserr};
    }

    /** Integral of f over [a, b] to max(epsabs, epsrel*|I|), bisecting the worst interval (at most 50 pieces). */
    static double integrate(DoubleUnaryOperator f, double a, double b, double epsabs, double epsrel) {
        double[] first = qk21(f, a, b);
        double result = first[0], abserr = first[1];
        if (abserr <= Math.max(epsabs, epsrel * Math.abs(result)) || abserr == 0) {
            return result;
        }
        java.util.List<double[]> parts = new java.util.ArrayList<>(); // {a, b, result, err}
        parts.add(new double[] {a, b, result, abserr});
        for (int it = 0; it < 49; it++) {
            int worst = 0;
            for (int i = 1; i < parts.size(); i++) {
                if (parts.get(i)[3] > parts.get(worst)[3]) {
                    worst = i;
                }
            }
            double[] p = parts.remove(worst);
            double mid = 0.5 * (p[0] + p[1]);
            double[] l = qk21(f, p[0], mid), r = qk21(f, mid, p[1]);
            parts.add(new double[] {p[0], mid, l[0], l[1]});
            parts.add(new double[] {mid, p[1], r[0], r[1]});
            result = 0;
            abserr = 0;
            for (double[] q : parts) {
                result += q[2];
                abserr += q[3];
            }
            if (abserr <= Math.max(epsabs, epsrel * Math.abs(result))) {
                break;
            }
        }
        return result;
    }
}

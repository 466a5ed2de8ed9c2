package dev.vega4j.tensor.kernels;

import java.util.Arrays;

/**
 * The three matrices of a Winograd minimal filtering algorithm F(m x m, 3 x 3) (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", arXiv 1509.09308): Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A for an output tile of m x m from an
 * input tile d of α x α (α = m + 2) and a 3 x 3 filter g.
 *
 * <p>Built by Toom-Cook from α - 1 finite interpolation points plus the point at infinity, the construction of Lavin's
 * wincnn: for linear convolution s = C [(E_g g) ⊙ (E_h h)] with E the evaluation matrices and C the Lagrange
 * interpolation (column j = coefficients of L_j(x), the column of ∞ = coefficients of M(x) = Π (x - p_l)), the
 * transposed algorithm computes correlation, which is what a convolution layer does: Aᵀ = E_hᵀ, G = E_g, Bᵀ = Cᵀ. The
 * Lagrange denominators 1 / Π (p_j - p_l) are moved from Bᵀ into G, so Bᵀ and Aᵀ stay integral for integral points
 * (exact in float) and only G, applied once per weight in double precision, carries the fractions.
 *
 * @param m      output tile side
 * @param alpha  input tile side, m + 2
 * @param bt     Bᵀ, α x α
 * @param g      G, α x 3
 * @param at     Aᵀ, m x α
 * @param points the finite points used
 */
public record WinogradTransform(int m, int alpha, double[][] bt, double[][] g, double[][] at, double[] points) {

    /** Kernel size this class builds for. */
    static final int R = 3;

    /** F(2x2, 3x3) with points 0, 1, -1 (the classic one; transforms with ±1 and 0 only). */
    public static final WinogradTransform F2 = of(2, 0, 1, -1);
    /** The transform used unless {@code -Dvega.winograd} says otherwise ({@link dev.vega4j.tensor.Switches#winograd()}). */
    public static final WinogradTransform DEFAULT = F2;
    /**
     * F(4x4, 3x3) with points 0, ±1, 1/2, -2: on a 512-channel layer with random weights its error is 0.6x that of
     * Lavin's 0, ±1, ±2 (rms 2.6e-6 vs 4.0e-6 relative; implicit GEMM 1.2e-6, F(2x2) 0.6e-6; measured over a dozen
     * point sets, the choice of points mattering as Barabasz et al., "Error analysis and improving the accuracy of
     * Winograd convolution for deep neural networks" (2020), describe).
     */
    public static final WinogradTransform F4 = of(4, 0, 1, -1, 0.5, -2);
    /** F(4x4, 3x3) with Lavin's points 0, ±1, ±2. */
    public static final WinogradTransform F4_LAVIN = of(4, 0, 1, -1, 2, -2);

    /** The transform for output tile m from the given m + 1 distinct finite points (∞ is always added). */
    public static WinogradTransform of(int m, double... points) {
        int alpha = m + R - 1;
        if (m < 1 || points.length != alpha - 1) {
            throw new IllegalArgumentException("F(" + m + ",3) needs " + (alpha - 1) + " finite points, got "
                    + points.length);
        }
        int nf = alpha - 1;
        double[][] at = new double[m][alpha];
        double[][] g = new double[alpha][R];
        double[][] bt = new double[alpha][alpha];
        for (int j = 0; j < nf; j++) {
            double p = points[j];
            double denom = 1;
            double[] poly = {1};
            for (int l = 0; l < nf; l++) {
                if (l != j) {
                    if (points[l] == p) {
                        throw new IllegalArgumentException("Winograd points must be distinct: " + Arrays.toString(points));
                    }
                    denom *= p - points[l];
                    poly = timesLinear(poly, points[l]);
                }
            }
            for (int i = 0; i < m; i++) {
                at[i][j] = Math.pow(p, i);
            }
            for (int k = 0; k < R; k++) {
                g[j][k] = Math.pow(p, k) / denom;
            }
            System.arraycopy(poly, 0, bt[j], 0, poly.length);
        }
        at[m - 1][nf] = 1;
        g[nf][R - 1] = 1;
        double[] all = {1};
        for (double p : points) {
            all = timesLinear(all, p);
        }
        System.arraycopy(all, 0, bt[nf], 0, all.length);
        return new WinogradTransform(m, alpha, bt, g, at, points.clone());
    }

    /** Coefficients (ascending powers) of poly(x) · (x - root). */
    private static double[] timesLinear(double[] poly, double root) {
        double[] r = new double[poly.length + 1];
        for (int i = 0; i < poly.length; i++) {
            r[i + 1] += poly[i];
            r[i] -= root * poly[i];
        }
        return r;
    }

    /** Number of transform points (α²): one GEMM each. */
    public int points2d() {
        return alpha * alpha;
    }

    /** Bᵀ in float (its entries are exact for the built-in point sets). */
    float[][] btFloat() {
        return toFloat(bt);
    }

    float[][] atFloat() {
        return toFloat(at);
    }

    private static float[][] toFloat(double[][] a) {
        float[][] f = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            f[i] = new float[a[i].length];
            for (int j = 0; j < a[i].length; j++) {
                f[i][j] = (float) a[i][j];
            }
        }
        return f;
    }

    /** The nonzero columns of each row of a (the transforms are sparse: skipping zeros halves their work). */
    static int[][] nonzeroColumns(float[][] a) {
        int[][] nz = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            int[] cols = new int[a[i].length];
            int n = 0;
            for (int j = 0; j < a[i].length; j++) {
                if (a[i][j] != 0f) {
                    cols[n++] = j;
                }
            }
            nz[i] = Arrays.copyOf(cols, n);
        }
        return nz;
    }

    @Override
    public String toString() {
        return "F(" + m + "x" + m + ",3x3) points " + Arrays.toString(points) + "+inf";
    }
}

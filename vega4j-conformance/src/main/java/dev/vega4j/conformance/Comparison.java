package dev.vega4j.conformance;

import dev.vega4j.tensor.Tensor;
import java.util.Arrays;

/**
 * The result of comparing one tensor of ours with a reference: the metric the golden README prescribes for that kind
 * of data, whether it passed, and the worst element (index, ours, reference) to start debugging from.
 */
public record Comparison(String what, boolean passed, double metric, double limit, int worstIndex, float ours,
        float reference, String note) {

    /** Per-tensor {@code max|d| / max|ref| <= tol} (UNet features and outputs, VAE). */
    public static Comparison maxRel(String what, Tensor ours, Tensor ref, double tol) {
        Comparison shape = shapeCheck(what, ours, ref);
        if (shape != null) {
            return shape;
        }
        float[] a = floats(ours), b = floats(ref);
        double maxRef = 0, maxD = -1;
        int worst = 0;
        for (int i = 0; i < b.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(b[i]));
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= maxD)) { // NaN counts as worst
                maxD = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worst = i;
            }
        }
        double metric = maxRef == 0 ? maxD : maxD / maxRef;
        return of(what, metric, tol, worst, a, b);
    }

    /** {@code max|d| <= tol * max(1, max|ref|)} (text encoders, encode_prompt). */
    public static Comparison absScaled(String what, Tensor ours, Tensor ref, double tol) {
        Comparison shape = shapeCheck(what, ours, ref);
        if (shape != null) {
            return shape;
        }
        float[] a = floats(ours), b = floats(ref);
        double maxRef = 0, maxD = -1;
        int worst = 0;
        for (int i = 0; i < b.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(b[i]));
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= maxD)) {
                maxD = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worst = i;
            }
        }
        return of(what, maxD / Math.max(1, maxRef), tol, worst, a, b);
    }

    /** Per element {@code |d| <= atol + rtol·|ref|}; the metric is the worst ratio {@code |d| / (atol + rtol·|ref|)}. */
    public static Comparison elementwise(String what, Tensor ours, Tensor ref, double atol, double rtol) {
        Comparison shape = shapeCheck(what, ours, ref);
        if (shape != null) {
            return shape;
        }
        return elementwise(what, floats(ours), floats(ref), atol, rtol);
    }

    public static Comparison elementwise(String what, float[] a, float[] b, double atol, double rtol) {
        if (a.length != b.length) {
            return new Comparison(what, false, Double.POSITIVE_INFINITY, 1, -1, Float.NaN, Float.NaN,
                    "length " + a.length + " vs reference " + b.length);
        }
        double worstRatio = -1;
        int worst = 0;
        for (int i = 0; i < b.length; i++) {
            // the same infinity as the reference is a match (a diffusers schedule that overflows, reproduced)
            double d = a[i] == b[i] ? 0 : Math.abs((double) a[i] - b[i]);
            double r = d / (atol + rtol * Math.abs(b[i]));
            if (!(r <= worstRatio)) {
                worstRatio = Double.isNaN(r) ? Double.POSITIVE_INFINITY : r;
                worst = i;
            }
        }
        return of(what, worstRatio, 1.0, worst, a, b);
    }

    /** Exact equality (token ids, masks). */
    public static Comparison exact(String what, float[] a, float[] b) {
        if (a.length != b.length) {
            return new Comparison(what, false, Double.POSITIVE_INFINITY, 0, -1, Float.NaN, Float.NaN,
                    "length " + a.length + " vs reference " + b.length);
        }
        // Not elementwise(atol=0, rtol=0): that divides 0 by 0 for equal elements. Metric = max |d|, limit 0.
        double maxD = 0;
        int worst = 0;
        for (int i = 0; i < b.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= maxD)) {
                maxD = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worst = i;
            }
        }
        return of(what, maxD, 0, worst, a, b).withLimitNote("exact");
    }

    /** Plain max absolute difference {@code <= atol}. */
    public static Comparison maxAbs(String what, Tensor ours, Tensor ref, double atol) {
        Comparison shape = shapeCheck(what, ours, ref);
        if (shape != null) {
            return shape;
        }
        float[] a = floats(ours), b = floats(ref);
        double maxD = -1;
        int worst = 0;
        for (int i = 0; i < b.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= maxD)) {
                maxD = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                worst = i;
            }
        }
        return of(what, maxD, atol, worst, a, b);
    }

    /**
     * The values of {@code t} as float32, whatever its storage: a weight may be held in a memory segment (a mapped
     * layer weight, or a fused LoRA's native copy of one), which has no {@code float[]}.
     */
    private static float[] floats(Tensor t) {
        return t.toFloat32().data();
    }

    private Comparison withLimitNote(String n) {
        return new Comparison(what, passed, metric, limit, worstIndex, ours, reference, n);
    }

    private static Comparison shapeCheck(String what, Tensor ours, Tensor ref) {
        if (ours.numel() != ref.numel()) {
            return new Comparison(what, false, Double.POSITIVE_INFINITY, 0, -1, Float.NaN, Float.NaN,
                    "shape " + Arrays.toString(ours.shape()) + " vs reference " + Arrays.toString(ref.shape()));
        }
        return null;
    }

    private static Comparison of(String what, double metric, double limit, int worst, float[] a, float[] b) {
        boolean ok = metric <= limit;
        float o = a.length == 0 ? 0 : a[worst], r = b.length == 0 ? 0 : b[worst];
        return new Comparison(what, ok, Math.max(0, metric), limit, worst, o, r, "");
    }

    @Override
    public String toString() {
        return String.format("%s %s metric=%.3g (limit %.3g) worst[%d] ours=%s ref=%s%s", what,
                passed ? "ok" : "FAIL", metric, limit, worstIndex, ours, reference, note.isEmpty() ? "" : " " + note);
    }
}

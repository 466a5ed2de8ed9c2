package dev.vega4j.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one golden case: every comparison made, its worst relative error, and — when it fails — the first
 * failing comparison (earliest in computation order, which is where debugging starts).
 */
public final class CaseResult {
    private final String caseId;
    private final List<Comparison> comparisons = new ArrayList<>();
    private String error;

    public CaseResult(String caseId) {
        this.caseId = caseId;
    }

    public static CaseResult error(String caseId, String message) {
        CaseResult r = new CaseResult(caseId);
        r.error = message;
        return r;
    }

    public CaseResult add(Comparison c) {
        comparisons.add(c);
        return this;
    }

    public CaseResult fail(String message) {
        this.error = message;
        return this;
    }

    public String caseId() {
        return caseId;
    }

    public List<Comparison> comparisons() {
        return comparisons;
    }

    public boolean passed() {
        return error == null && comparisons.stream().allMatch(Comparison::passed);
    }

    /** The largest metric/limit ratio over the comparisons (0 = exact, 1 = at the tolerance). */
    public double worst() {
        double w = 0;
        for (Comparison c : comparisons) {
            double r = c.limit() > 0 ? c.metric() / c.limit() : (c.metric() == 0 ? 0 : Double.POSITIVE_INFINITY);
            w = Math.max(w, r);
        }
        return w;
    }

    /** The largest raw metric (e.g. max relative error). */
    public double worstMetric() {
        return comparisons.stream().mapToDouble(Comparison::metric).max().orElse(0);
    }

    public String summary() {
        if (error != null) {
            return caseId + ": " + error;
        }
        for (Comparison c : comparisons) {
            if (!c.passed()) {
                return caseId + ": " + c;
            }
        }
        return caseId + ": ok worst=" + String.format("%.3g", worstMetric());
    }
}

package dev.vega4j.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A golden case group ({@code cases/<name>}) that vega4j can check itself against. Implementations are found with
 * {@link java.util.ServiceLoader}; list them in {@code META-INF/services/dev.vega4j.conformance.ConformanceGroup}.
 */
public interface ConformanceGroup {
    /** The folder name under {@code cases/}. */
    String name();

    /** Checks every case the manifest lists (not a fixed list: hidden data of the same schema must work too). */
    List<CaseResult> run(GoldenGroup group);

    /**
     * Checks every case of the group in order: a case that throws becomes an error result (the others still run),
     * and each case's tensors are released once it is checked.
     */
    static List<CaseResult> checkEachCase(GoldenGroup group, Function<GoldenCase, CaseResult> check) {
        List<CaseResult> results = new ArrayList<>();
        for (GoldenCase c : group.cases()) {
            try {
                results.add(check.apply(c));
            } catch (RuntimeException e) {
                results.add(CaseResult.error(c.id(), e.toString()));
            } finally {
                c.close();
            }
        }
        return results;
    }
}

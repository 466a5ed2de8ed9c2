package dev.vega4j.golden;

import java.util.List;

/**
 * A golden case group ({@code cases/<name>}) that vega4j can check itself against. Implementations are found with
 * {@link java.util.ServiceLoader}; list them in {@code META-INF/services/dev.vega4j.golden.ConformanceGroup}.
 */
public interface ConformanceGroup {
    /** The folder name under {@code cases/}. */
    String name();

    /** Checks every case the manifest lists (not a fixed list: hidden data of the same schema must work too). */
    List<CaseResult> run(GoldenGroup group);
}

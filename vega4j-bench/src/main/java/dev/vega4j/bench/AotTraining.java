package dev.vega4j.bench;

import java.io.PrintStream;
import java.util.Set;

/**
 * The training workload of the {@code ./vega} launcher's startup cache (JDK 25 AOT cache, JEPs 483/514/515): what a
 * generation runs, small. The JVM records the classes this run loads and the method profiles it gathers; later runs
 * start with those classes linked and compile the hot kernels with C2 from the recorded profiles instead of first
 * running them interpreted and profiled (the first UNet step of a process was 25% slower than the rest).
 *
 * <p>It needs no model files and no network: the real-size Segmind Vega models (so that the kernels see the real
 * layer shapes and the profiles the real branches) on seeded random weights, built one at a time like a one-shot
 * generation, at a small image size, every phase: both text encoders, the UNet at batch 1 and 2 (every op kind: convs,
 * GEMMs, attention, norms, GEGLU) and the VAE decode, each run twice so the hot methods get past C1 and into the
 * recorded profiles. It prints nothing that matters; the launcher keeps its output in a log.
 */
public final class AotTraining {
    private AotTraining() {}

    /** Image side of the training run: latent 16², large enough for every block, small enough to take seconds. */
    static final int SIZE = 128;
    /**
     * Runs per phase after the first. One is enough: a phase calls each microkernel thousands of times, past C2's
     * thresholds, and the text encoders (real size at any image size) make every extra run cost seconds.
     */
    static final int RUNS = 1;

    public static ModelBenchmark.Options options() {
        return new ModelBenchmark.Options("vega", null, SIZE, RUNS, true, true, true, false, true, 0,
                Set.of(), false);
    }

    public static ModelBenchmark.Report run(PrintStream log) {
        return ModelBenchmark.run(options(), log);
    }
}

package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;

import jdk.incubator.vector.FloatVector;

/**
 * Measures main-memory bandwidth from Java, STREAM style (J. D. McCalpin, "STREAM: Sustainable Memory Bandwidth in
 * High Performance Computers"): the triad a = b + s·c over arrays far larger than the last-level cache, split
 * evenly over a team's threads, best of several runs. Bytes are counted as STREAM counts them (two arrays read, one
 * written; the write-allocate read is not counted), the same convention as the memory-bound op benchmarks, so a
 * memory-bound op can be reported as a share of what this JVM can move on these cores right now.
 */
public final class BandwidthProbe {
    private BandwidthProbe() {}

    /** Bytes the triad moves per element: read b and c, write a. */
    public static final int TRIAD_BYTES_PER_ELEMENT = 3 * Float.BYTES;

    /**
     * Best-of-{@code rounds} triad bandwidth in GB/s (10⁹ bytes per second) over three arrays of {@code elements}
     * floats each (use several times the last-level cache; the arrays are allocated and freed here), after one
     * untimed run that touches every page.
     */
    public static double triadGbPerSecond(Parallel par, int elements, int rounds) {
        float[] a = new float[elements], b = new float[elements], c = new float[elements];
        java.util.Arrays.fill(b, 1f);
        java.util.Arrays.fill(c, 2f);
        int threads = par.threads();
        // per-thread slices rounded to whole vectors, the last one takes the rest
        int per = elements / threads / L * L;
        double best = 0;
        for (int r = 0; r <= rounds; r++) {
            long t0 = System.nanoTime();
            par.forEach(threads, t -> {
                int from = t * per, to = t == threads - 1 ? elements : from + per;
                kernelTriad(a, b, c, 0.5f, from, to);
            });
            long ns = System.nanoTime() - t0;
            if (r > 0) {
                best = Math.max(best, (double) TRIAD_BYTES_PER_ELEMENT * elements / ns);
            }
        }
        if (Float.isNaN(a[elements - 1])) {
            throw new IllegalStateException("unreachable: keeps the stores alive");
        }
        return best;
    }

    /** a[i] = b[i] + s·c[i] over [from, to). */
    public static void kernelTriad(float[] a, float[] b, float[] c, float s, int from, int to) {
        FloatVector sv = FloatVector.broadcast(S, s);
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(S, c, i).fma(sv, FloatVector.fromArray(S, b, i)).intoArray(a, i);
        }
        for (; i < to; i++) {
            a[i] = Math.fma(c[i], s, b[i]);
        }
    }
}

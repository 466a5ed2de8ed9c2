package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;

import jdk.incubator.vector.FloatVector;

/**
 * Measures the machine's float FMA throughput from Java: every thread of a team runs a loop of independent vector
 * FMAs (12 chains: enough to cover the FMA latency on two pipes), so GEMM speed can be reported as a share of what
 * this JVM can reach on these cores right now.
 */
public final class PeakProbe {
    private PeakProbe() {}

    /** Flops of one {@link #kernelFmaChains} iteration. */
    public static final int FLOPS_PER_ITERATION = 12 * 2 * L;

    /** Best-of-{@code rounds} GFLOPS with all threads of the team running {@code iterations} each. */
    public static double gflops(Parallel par, long iterations, int rounds) {
        double best = 0;
        float[] sink = new float[par.threads()];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            par.forEach(par.threads(), t -> sink[t] += kernelFmaChains(iterations, 0.5f + t));
            long ns = System.nanoTime() - t0;
            best = Math.max(best, (double) FLOPS_PER_ITERATION * iterations * par.threads() / ns);
        }
        if (Float.isNaN(sink[0])) {
            throw new IllegalStateException("unreachable: keeps the loop alive");
        }
        return best;
    }

    /** 12 independent chains of a = a·m + c (a converges to 1: no overflow, no denormals). */
    public static float kernelFmaChains(long iterations, float seed) {
        FloatVector m = FloatVector.broadcast(S, 0.999f), c = FloatVector.broadcast(S, 0.001f);
        FloatVector a0 = FloatVector.broadcast(S, seed), a1 = a0.add(0.01f), a2 = a0.add(0.02f), a3 = a0.add(0.03f),
                a4 = a0.add(0.04f), a5 = a0.add(0.05f), a6 = a0.add(0.06f), a7 = a0.add(0.07f), a8 = a0.add(0.08f),
                a9 = a0.add(0.09f), a10 = a0.add(0.10f), a11 = a0.add(0.11f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .lane(0);
    }
}

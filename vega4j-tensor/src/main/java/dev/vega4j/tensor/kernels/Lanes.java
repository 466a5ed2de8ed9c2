package dev.vega4j.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The float vector shape of this JVM on this CPU (512-bit on AVX-512, 256-bit on AVX2 or {@code -XX:MaxVectorSize=32}). */
public final class Lanes {
    private Lanes() {}

    /** The preferred species: every kernel uses it, so C2 compiles each vector operation to one instruction. */
    public static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    public static final int L = S.length();
}

package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;

import jdk.incubator.vector.FloatVector;

/**
 * Sums whose rounding does not depend on the vector width: elements are accumulated in 16 "virtual lanes" (element
 * i into lane i mod 16, whatever L is: one vector on AVX-512, two on AVX2, four on SSE), the lanes are added in one
 * fixed tree, and the tail after the last whole 16 in ascending order. (A plain vector accumulation rounds
 * differently for every L, and so did the image.)
 */
final class RowSums {
    private RowSums() {}

    static float sum(float[] a, int off, int len) {
        int end = len & ~15;
        float s;
        if (L == 16) {
            FloatVector v = FloatVector.zero(S);
            for (int i = 0; i < end; i += 16) {
                v = v.add(FloatVector.fromArray(S, a, off + i));
            }
            float[] lanes = new float[16];
            v.intoArray(lanes, 0);
            s = tree(lanes);
        } else if (L == 8) {
            FloatVector lo = FloatVector.zero(S), hi = FloatVector.zero(S);
            for (int i = 0; i < end; i += 16) {
                lo = lo.add(FloatVector.fromArray(S, a, off + i));
                hi = hi.add(FloatVector.fromArray(S, a, off + i + 8));
            }
            float[] lanes = new float[16];
            lo.intoArray(lanes, 0);
            hi.intoArray(lanes, 8);
            s = tree(lanes);
        } else {
            float[] lanes = new float[16];
            for (int i = 0; i < end; i += 16) {
                for (int j = 0; j < 16; j++) {
                    lanes[j] += a[off + i + j];
                }
            }
            s = tree(lanes);
        }
        for (int i = end; i < len; i++) {
            s += a[off + i];
        }
        return s;
    }

    /** The 16 virtual lanes added pairwise: ((0+1)+(2+3))+((4+5)+(6+7)), likewise 8..15, then the two halves. */
    private static float tree(float[] v) {
        float a = ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
        float b = ((v[8] + v[9]) + (v[10] + v[11])) + ((v[12] + v[13]) + (v[14] + v[15]));
        return a + b;
    }
}

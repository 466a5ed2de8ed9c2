package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.Lanes.L;
import static dev.vega4j.tensor.kernels.Lanes.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * Sums over float arrays whose rounding does not depend on the vector width (so results are the same bits on an
 * AVX2 machine, 256-bit vectors, as on an AVX-512 one, and under {@code -XX:MaxVectorSize=32}), nor on threads.
 *
 * <p>The order is that of 16 "virtual lanes": element {@code i} of a block of {@link #BLOCK} = 256 elements goes to
 * virtual lane {@code i % 16}, which adds its 16 elements in float in index order (the first one loaded, not added
 * to zero); the 16 lanes are then added in float, lane 0 first, starting from 0f; the blocks' float sums are added
 * in double, and so are the tail elements after the last whole block, in index order. (That tail is a chain of
 * dependent double adds: a 640-long layerNorm row spends more on its 128 than on the rest, so layerNorm runs four
 * rows' tails interleaved through {@link #blockSum}; folding the tail into a partial block instead was as fast but
 * moved the conformance results, twice as far from diffusers in one LoRA case.) With 512-bit vectors one
 * register holds the 16 lanes; with 256-bit vectors two registers hold lanes 0-7 and 8-15, with 128-bit four: the
 * same float operations in the same order, hence the same bits. Any other width takes a scalar path with that order.
 * With 16 lanes this is exactly the order {@code VectorOps} used before on 512-bit vectors.
 *
 * <p>The vectors stay in local variables of one loop (an array of vectors would be boxed by C2).
 */
public final class FixedOrderSums {
    private FixedOrderSums() {}

    /** Virtual lanes of the order (the lanes of a 512-bit float vector). */
    public static final int LANES = 16;
    /** Elements per float partial sum: 16 steps of {@link #LANES}. */
    public static final int BLOCK = LANES * LANES;

    /** Σ a[off, off + len) in the fixed order described above. */
    public static double sum(float[] a, int off, int len) {
        double total = blockSum(a, off, len);
        for (int i = len / BLOCK * BLOCK; i < len; i++) {
            total += a[off + i];
        }
        return total;
    }

    /**
     * The whole blocks' part of {@link #sum}: adding a[off + i] for i from {@code len / BLOCK * BLOCK} on, one at a
     * time in double, completes it (callers interleave several rows' tails: each one is a chain of dependent adds).
     */
    public static double blockSum(float[] a, int off, int len) {
        double total = 0;
        int i = 0;
        int blocks = len / BLOCK * BLOCK;
        if (L == 16) {
            for (; i < blocks; i += BLOCK) {
                int p = off + i;
                FloatVector v0 = FloatVector.fromArray(S, a, p);
                for (int j = LANES; j < BLOCK; j += LANES) {
                    v0 = v0.add(FloatVector.fromArray(S, a, p + j));
                }
                total += addLanes(0f, v0);
            }
        } else if (L == 8) {
            for (; i < blocks; i += BLOCK) {
                int p = off + i;
                FloatVector v0 = FloatVector.fromArray(S, a, p), v1 = FloatVector.fromArray(S, a, p + 8);
                for (int j = LANES; j < BLOCK; j += LANES) {
                    v0 = v0.add(FloatVector.fromArray(S, a, p + j));
                    v1 = v1.add(FloatVector.fromArray(S, a, p + j + 8));
                }
                total += addLanes(addLanes(0f, v0), v1);
            }
        } else if (L == 4) {
            for (; i < blocks; i += BLOCK) {
                int p = off + i;
                FloatVector v0 = FloatVector.fromArray(S, a, p), v1 = FloatVector.fromArray(S, a, p + 4),
                        v2 = FloatVector.fromArray(S, a, p + 8), v3 = FloatVector.fromArray(S, a, p + 12);
                for (int j = LANES; j < BLOCK; j += LANES) {
                    v0 = v0.add(FloatVector.fromArray(S, a, p + j));
                    v1 = v1.add(FloatVector.fromArray(S, a, p + j + 4));
                    v2 = v2.add(FloatVector.fromArray(S, a, p + j + 8));
                    v3 = v3.add(FloatVector.fromArray(S, a, p + j + 12));
                }
                total += addLanes(addLanes(addLanes(addLanes(0f, v0), v1), v2), v3);
            }
        } else {
            float[] lane = new float[LANES];
            for (; i < blocks; i += BLOCK) {
                int p = off + i;
                System.arraycopy(a, p, lane, 0, LANES);
                for (int j = LANES; j < BLOCK; j += LANES) {
                    for (int k = 0; k < LANES; k++) {
                        lane[k] += a[p + j + k];
                    }
                }
                total += addLanes(0f, lane);
            }
        }
        return total;
    }

    /**
     * Σ (a - mean)² over a[off, off + len) in the same order, each lane accumulating from 0f by fused multiply-add
     * of the float difference; tail terms are squared in double.
     */
    public static double sumSquaredDeviation(float[] a, int off, int len, float mean) {
        double total = blockSumSquaredDeviation(a, off, len, mean);
        for (int i = len / BLOCK * BLOCK; i < len; i++) {
            double d = a[off + i] - mean;
            total += d * d;
        }
        return total;
    }

    /** The whole blocks' part of {@link #sumSquaredDeviation}, as {@link #blockSum} is of {@link #sum}. */
    public static double blockSumSquaredDeviation(float[] a, int off, int len, float mean) {
        double total = 0;
        int i = 0;
        int blocks = len / BLOCK * BLOCK;
        if (L == 16) {
            FloatVector mv = FloatVector.broadcast(S, mean);
            for (; i < blocks; i += BLOCK) {
                int p = off + i;
                FloatVector v0 = FloatVector.zero(S);
                for (int j = 0; j < BLOCK; j += LANES) {
                    FloatVector d0 = FloatVector.fromArray(S, a, p + j).sub(mv);
                    v0 = d0.fma(d0, v0);
                }
                total += addLanes(0f, v0);
            }
        } else if (L == 8) {
            FloatVector mv = FloatVector.broadcast(S, mean);
            for (; i < blocks; i += BLOCK) {
                int p = off + i;
                FloatVector v0 = FloatVector.zero(S), v1 = FloatVector.zero(S);
                for (int j = 0; j < BLOCK; j += LANES) {
                    FloatVector d0 = FloatVector.fromArray(S, a, p + j).sub(mv);
                    FloatVector d1 = FloatVector.fromArray(S, a, p + j + 8).sub(mv);
                    v0 = d0.fma(d0, v0);
                    v1 = d1.fma(d1, v1);
                }
                total += addLanes(addLanes(0f, v0), v1);
            }
        } else if (L == 4) {
            FloatVector mv = FloatVector.broadcast(S, mean);
            for (; i < blocks; i += BLOCK) {
                int p = off + i;
                FloatVector v0 = FloatVector.zero(S), v1 = FloatVector.zero(S), v2 = FloatVector.zero(S),
                        v3 = FloatVector.zero(S);
                for (int j = 0; j < BLOCK; j += LANES) {
                    FloatVector d0 = FloatVector.fromArray(S, a, p + j).sub(mv);
                    FloatVector d1 = FloatVector.fromArray(S, a, p + j + 4).sub(mv);
                    FloatVector d2 = FloatVector.fromArray(S, a, p + j + 8).sub(mv);
                    FloatVector d3 = FloatVector.fromArray(S, a, p + j + 12).sub(mv);
                    v0 = d0.fma(d0, v0);
                    v1 = d1.fma(d1, v1);
                    v2 = d2.fma(d2, v2);
                    v3 = d3.fma(d3, v3);
                }
                total += addLanes(addLanes(addLanes(addLanes(0f, v0), v1), v2), v3);
            }
        } else {
            float[] lane = new float[LANES];
            for (; i < blocks; i += BLOCK) {
                int p = off + i;
                java.util.Arrays.fill(lane, 0f);
                for (int j = 0; j < BLOCK; j += LANES) {
                    for (int k = 0; k < LANES; k++) {
                        float d = a[p + j + k] - mean;
                        lane[k] = Math.fma(d, d, lane[k]);
                    }
                }
                total += addLanes(0f, lane);
            }
        }
        return total;
    }

    /**
     * e^(a - max) in place over [off + from, off + len), whole vectors while they fit in {@code room}. A method of
     * its own: inlined into its caller, next to the main loop's copy of the exponential, C2 ran out of inlining
     * budget and this copy took the Vector API's slow Java path (a third of a cross-attention's softmax).
     */
    private static void expTail(float[] a, int off, int from, int len, int room, float max) {
        FloatVector mv = FloatVector.broadcast(S, max);
        int i = from;
        for (; i < len && i + L <= room; i += L) {
            VMath.expNonPositive(FloatVector.fromArray(S, a, off + i).sub(mv)).intoArray(a, off + i);
        }
        for (; i < len; i++) {
            a[off + i] = VMath.exp(a[off + i] - max);
        }
    }

    /**
     * Σ a[off, off + len) for short rows (attention's softmax denominators: one key block), all in float: element i
     * into virtual lane i % 16 in index order (starting from 0f), the 16 lanes added pairwise
     * (((0+1)+(2+3))+((4+5)+(6+7))) + likewise 8..15, then the tail after the last whole 16 in index order. Cheaper
     * than {@link #sum} for rows shorter than {@link #BLOCK}, where that one would add everything in scalar double.
     */
    public static float shortSum(float[] a, int off, int len) {
        int end = len & ~(LANES - 1);
        float s;
        if (L == 16) {
            FloatVector v = FloatVector.zero(S);
            for (int i = 0; i < end; i += LANES) {
                v = v.add(FloatVector.fromArray(S, a, off + i));
            }
            s = tree16(v);
        } else if (L == 8) {
            FloatVector lo = FloatVector.zero(S), hi = FloatVector.zero(S);
            for (int i = 0; i < end; i += LANES) {
                lo = lo.add(FloatVector.fromArray(S, a, off + i));
                hi = hi.add(FloatVector.fromArray(S, a, off + i + 8));
            }
            s = tree8(lo) + tree8(hi);
        } else {
            float[] lanes = new float[LANES];
            for (int i = 0; i < end; i += LANES) {
                for (int j = 0; j < LANES; j++) {
                    lanes[j] += a[off + i + j];
                }
            }
            s = (((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7])))
                    + (((lanes[8] + lanes[9]) + (lanes[10] + lanes[11])) + ((lanes[12] + lanes[13])
                    + (lanes[14] + lanes[15])));
        }
        for (int i = end; i < len; i++) {
            s += a[off + i];
        }
        return s;
    }

    // Lane partners of a pairwise tree: after v + v.rearrange(PAIRS_k), lane i (a multiple of 2k) holds the sum of
    // its 2k-lane group's two halves, so the steps leave (((0+1)+(2+3))+((4+5)+(6+7))) (+ likewise 8..15) in lane 0
    // without storing the vector and reading lanes back (float addition commutes bit for bit, so which operand comes
    // first does not matter).
    private static final VectorShuffle<Float> PAIRS_1 = partners(1), PAIRS_2 = partners(2), PAIRS_4 = partners(4),
            PAIRS_8 = partners(8);

    private static VectorShuffle<Float> partners(int k) {
        return VectorShuffle.fromOp(S, i -> (i ^ k) % L);
    }

    private static FloatVector pairwiseStep(FloatVector v, VectorShuffle<Float> partners) {
        return v.add(v.rearrange(partners));
    }

    /** The tree over a 16-lane vector's lanes. */
    private static float tree16(FloatVector v) {
        return pairwiseStep(pairwiseStep(pairwiseStep(pairwiseStep(v, PAIRS_1), PAIRS_2), PAIRS_4), PAIRS_8).lane(0);
    }

    /** The tree over an 8-lane vector's lanes (one half of the 16). */
    private static float tree8(FloatVector v) {
        return pairwiseStep(pairwiseStep(pairwiseStep(v, PAIRS_1), PAIRS_2), PAIRS_4).lane(0);
    }

    /**
     * Replaces a[off, off + len) by e^(a - max) ({@link VMath#expNonPositive}: every a <= max) and returns their
     * {@link #shortSum}, same order and bits, summed while the exponentials are still in registers (attention's
     * softmax: one pass over the scores instead of two). {@code room} >= len: a[off + len, off + room) may be
     * overwritten with junk (attention's padded key columns, zeroed next), so the last partial vector needs no mask
     * (masked vector code fell back to the Vector API's slow Java path here: cross-attention's 77 keys ran 2x slower).
     * {@code normal}: every a - max >= -87, so {@link VMath#expNonPositiveNormal} gives the same bits, cheaper.
     */
    public static float expShiftedShortSum(float[] a, int off, int len, int room, float max, boolean normal) {
        if (L != 16 && L != 8) {
            for (int i = 0; i < len; i++) {
                a[off + i] = VMath.exp(a[off + i] - max);
            }
            return shortSum(a, off, len);
        }
        int end = len & ~(LANES - 1);
        // each variant in a method of its own: two inlined copies of the exponential exhausted C2's inlining budget
        float s = normal ? expGroupsNormal(a, off, end, max) : expGroups(a, off, end, max);
        expTail(a, off, end, len, room, max);
        for (int i = end; i < len; i++) {
            s += a[off + i];
        }
        return s;
    }

    /** e^(a - max) over the whole groups of 16 [off, off + end), their 16-lane sum tree. */
    private static float expGroups(float[] a, int off, int end, float max) {
        FloatVector mv = FloatVector.broadcast(S, max);
        if (L == 16) {
            FloatVector v = FloatVector.zero(S);
            for (int i = 0; i < end; i += LANES) {
                FloatVector e = VMath.expNonPositive(FloatVector.fromArray(S, a, off + i).sub(mv));
                e.intoArray(a, off + i);
                v = v.add(e);
            }
            return tree16(v);
        }
        FloatVector lo = FloatVector.zero(S), hi = FloatVector.zero(S);
        for (int i = 0; i < end; i += LANES) {
            FloatVector e0 = VMath.expNonPositive(FloatVector.fromArray(S, a, off + i).sub(mv));
            FloatVector e1 = VMath.expNonPositive(FloatVector.fromArray(S, a, off + i + 8).sub(mv));
            e0.intoArray(a, off + i);
            e1.intoArray(a, off + i + 8);
            lo = lo.add(e0);
            hi = hi.add(e1);
        }
        return tree8(lo) + tree8(hi);
    }

    /** {@link #expGroups} for arguments in [-87, 0] ({@link VMath#expNonPositiveNormal}: the same bits). */
    private static float expGroupsNormal(float[] a, int off, int end, float max) {
        FloatVector mv = FloatVector.broadcast(S, max);
        if (L == 16) {
            FloatVector v = FloatVector.zero(S);
            for (int i = 0; i < end; i += LANES) {
                FloatVector e = VMath.expNonPositiveNormal(FloatVector.fromArray(S, a, off + i).sub(mv));
                e.intoArray(a, off + i);
                v = v.add(e);
            }
            return tree16(v);
        }
        FloatVector lo = FloatVector.zero(S), hi = FloatVector.zero(S);
        for (int i = 0; i < end; i += LANES) {
            FloatVector e0 = VMath.expNonPositiveNormal(FloatVector.fromArray(S, a, off + i).sub(mv));
            FloatVector e1 = VMath.expNonPositiveNormal(FloatVector.fromArray(S, a, off + i + 8).sub(mv));
            e0.intoArray(a, off + i);
            e1.intoArray(a, off + i + 8);
            lo = lo.add(e0);
            hi = hi.add(e1);
        }
        return tree8(lo) + tree8(hi);
    }

    /** s + v's lanes, one at a time, lane 0 first (never {@code reduceLanes(ADD)}: its order depends on the JIT). */
    private static float addLanes(float s, FloatVector v) {
        for (int i = 0; i < v.length(); i++) { // constant trip count: unrolled to lane extractions, no array
            s += v.lane(i);
        }
        return s;
    }

    private static float addLanes(float s, float[] lanes) {
        for (float x : lanes) {
            s += x;
        }
        return s;
    }
}

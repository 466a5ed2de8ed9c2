package dev.vega4j.rng;

/**
 * The 32-bit Mersenne Twister (Matsumoto &amp; Nishimura 1998, reference {@code init_genrand} / {@code genrand_int32}),
 * as PyTorch's CPU generator uses it ({@code aten/src/ATen/core/MT19937RNGEngine.h}).
 */
final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int next;

    Mt19937(int seed) {
        state[0] = seed;
        for (int i = 1; i < N; i++) {
            int prev = state[i - 1];
            state[i] = 1812433253 * (prev ^ (prev >>> 30)) + i; // wraps mod 2^32 like uint32_t
        }
        next = N;
    }

    /** One tempered 32-bit output (returned in an int; callers mask as unsigned). */
    int nextInt() {
        if (next >= N) {
            twist();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & UPPER_MASK) | (state[(i + 1) % N] & LOWER_MASK);
            int v = state[(i + M) % N] ^ (y >>> 1);
            if ((y & 1) != 0) {
                v ^= MATRIX_A;
            }
            state[i] = v;
        }
        next = 0;
    }
}

package dev.vega4j.tensor.kernels;

/**
 * A register-blocked SGEMM microkernel: a tile of C of {@link #mr()} rows by {@link #vectors()} vectors updated with
 * {@code kc} rank-1 steps, each one row of packed B times {@code mr} broadcast A values. Which shape is fastest depends
 * on the CPU (registers, FMA and load ports: 12 x 2 on Zen 4, wider B on CPUs with two full-width FMA pipes, 6 x 2 on
 * AVX2 with 16 registers), so {@link MicroKernels} measures the candidates once per machine and picks one.
 *
 * <p>The contract that makes the choice invisible in the results: every element of C is updated by exactly one
 * fused multiply-add per k, in ascending k order, starting from the value in C (or the init value). Its float result
 * is then the same for every shape, blocking, vector width and thread split around the call, and equals a scalar loop
 * of {@link Math#fma(float, float, float)}. There is deliberately no "start from zero" flag: a branch merging a loaded
 * vector with a constant one made C2 box every accumulator; callers zero C instead.
 *
 * <p>Implementations are unrolled from one template (the test sources' {@code MicroKernelTemplate}; a test checks
 * the committed sources are exactly its output). Launcher and surefire pass
 * {@code -XX:CompileCommand=dontinline,...kernels.*::kernel*}: keep every kernel method's name starting with
 * {@code kernel}: inlined into its driver, C2's code for it swung 40..115 GFLOPS run to run.
 */
public interface MicroKernel {
    /**
     * Row stride of the score tile read by {@link #kernelRowsA}: attention's key block. A multiple of every
     * candidate's NR (16, 24, 32, 48 and 64 columns), so the key blocks — and with them the online softmax's
     * rescaling steps — are the same whatever the tile.
     */
    int ROW_A_STRIDE = 192;

    /** Rows of the register tile. */
    int mr();

    /** Vectors per row of the register tile. */
    int vectors();

    /** Columns of the register tile. */
    default int nr() {
        return vectors() * Lanes.L;
    }

    /** The shape's name, {@code <rows>x<vectors>} (what {@code -Dvega.kernels} takes). */
    default String shape() {
        return mr() + "x" + vectors();
    }

    /** C[mr, nr] += A · B with A packed k-major ({@code a[aOff + mr·k + i]}) and B rows {@code bStride} apart. */
    void kernelPacked(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] c, int cOff, int ldc);

    /**
     * As {@link #kernelPacked} but every row starts from {@code init[initOff, initOff + nr)} (the bias, or zeros)
     * instead of C: the first K block of a GEMM neither pre-fills nor reads C.
     */
    void kernelPackedInit(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] init, int initOff,
            float[] c, int cOff, int ldc);

    /**
     * As {@link #kernelPacked} but row i starts from {@code init[initOff + i]} in every column (a convolution's
     * per-channel bias, or zeros) instead of C.
     */
    void kernelPackedRowInit(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] init,
            int initOff, float[] c, int cOff, int ldc);

    /** As {@link #kernelPacked} but A row-major with the row stride {@link #ROW_A_STRIDE}. */
    void kernelRowsA(float[] a, int aOff, float[] b, int bOff, int bStride, int kc, float[] c, int cOff, int ldc);
}

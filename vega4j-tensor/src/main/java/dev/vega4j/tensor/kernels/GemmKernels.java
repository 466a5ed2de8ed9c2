package dev.vega4j.tensor.kernels;

/**
 * The register tile every GEMM, convolution, Winograd and attention driver of this process uses: the
 * {@link MicroKernel} {@link MicroKernels#chosen()} picked for this machine, and its shape as constants (static finals
 * set once, so C2 folds them and calls the kernel directly). Packed panels are laid out for this shape: MR-row tiles
 * of A, NR-column panels of B.
 */
public final class GemmKernels {
    private GemmKernels() {}

    /** The microkernel in use. */
    public static final MicroKernel K = MicroKernels.chosen().kernel();
    /** Rows of the register tile. */
    public static final int MR = K.mr();
    /** Columns of the register tile. */
    public static final int NR = K.nr();
}

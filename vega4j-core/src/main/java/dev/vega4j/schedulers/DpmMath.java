package dev.vega4j.schedulers;

/**
 * Float32 scalar helpers shared by the DPM-Solver and UniPC schedulers (diffusers {@code _sigma_to_alpha_sigma_t} and
 * {@code lambda = log(alpha) - log(sigma)}), plus the schedule construction they have in common.
 */
final class DpmMath {
    private DpmMath() {}

    /** alpha_t = 1 / sqrt(sigma^2 + 1). */
    static float alpha(float sigma) {
        return 1f / F32.sqrt(sigma * sigma + 1f);
    }

    /** sigma_t = sigma * alpha_t. */
    static float sigmaT(float sigma) {
        return sigma * alpha(sigma);
    }

    /** lambda = log(alpha_t) - log(sigma_t), the half log-SNR. */
    static float lambda(float sigma) {
        return alphaSigma(sigma).lambda();
    }

    /** alpha_t and sigma_t of a k-diffusion sigma (diffusers {@code _sigma_to_alpha_sigma_t}). */
    static AlphaSigma alphaSigma(float sigma) {
        float a = alpha(sigma);
        return new AlphaSigma(a, sigma * a);
    }

    /** One noise level in the alpha-sigma form. */
    record AlphaSigma(float alpha, float sigma) {
        /** lambda = log(alpha_t) - log(sigma_t), the half log-SNR. */
        float lambda() {
            return F32.log(alpha) - F32.log(sigma);
        }
    }

    /** torch.searchsorted(flip(lambda_t), lambda_min_clipped) for the float32 lambda_t table. */
    static int clippedIndex(float[] alphasCumprod, double lambdaMinClipped) {
        int n = alphasCumprod.length;
        float[] flipped = new float[n];
        for (int i = 0; i < n; i++) {
            float ac = alphasCumprod[n - 1 - i];
            float at = F32.sqrt(ac), st = F32.sqrt(1f - ac);
            flipped[i] = F32.log(at) - F32.log(st);
        }
        // left insertion point of the value in the (ascending) flipped array
        int idx = 0;
        while (idx < n && flipped[idx] < lambdaMinClipped) {
            idx++;
        }
        return idx;
    }
}

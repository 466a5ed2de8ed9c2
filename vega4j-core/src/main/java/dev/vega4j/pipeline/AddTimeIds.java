package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;

/**
 * SDXL's micro-conditioning {@code _get_add_time_ids} (diffusers 0.26.3): {@code original_size + crops_coords_top_left
 * + target_size} as six numbers, (height, width) pairs in pixels.
 */
public final class AddTimeIds {
    private AddTimeIds() {}

    public static float[] of(int originalHeight, int originalWidth, int cropTop, int cropLeft, int targetHeight,
            int targetWidth) {
        return new float[] {originalHeight, originalWidth, cropTop, cropLeft, targetHeight, targetWidth};
    }

    /** What text-to-image uses by default: original = target = the output size, crop (0, 0). */
    public static float[] forSize(int height, int width) {
        return of(height, width, 0, 0, height, width);
    }

    /** {@code add_time_ids.repeat(batch, 1)} as a [batch, 6] tensor. */
    public static Tensor batch(float[] ids, int batch) {
        Tensor t = Tensor.zeros(batch, ids.length);
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids, 0, t.data(), b * ids.length, ids.length);
        }
        return t;
    }
}

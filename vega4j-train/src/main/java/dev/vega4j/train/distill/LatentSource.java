package dev.vega4j.train.distill;

import dev.vega4j.VegaException;
import java.util.Locale;

/** Where the clean latents x0 of prompt-only training data come from. */
public enum LatentSource {
    /** Generated once per prompt by the teacher pipeline (seeded, cached in {@code out/training/}). */
    TEACHER,
    /** N(0, 1) noise of the training latent size (cheap; the student then only sees off-manifold inputs). */
    RANDOM;

    public static LatentSource parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new VegaException("--latents must be teacher or random, got '" + s + "'");
        }
    }
}

package dev.vega4j.pipeline;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Images of one generation and the parameters actually used (the seed drawn for -1, the resolved size and scheduler),
 * so that a result can always be reproduced.
 */
public record GenerationResult(List<BufferedImage> images, UsedParameters parameters, long elapsedMillis) {

    /** What was really run; {@link #a1111Infotext()} formats it the way AUTOMATIC1111 writes PNG metadata. */
    public record UsedParameters(String prompt, String negativePrompt, int steps, double guidanceScale, long seed,
            String scheduler, int width, int height, int samples, String model, Double strength) {

        /**
         * AUTOMATIC1111's "parameters" text: prompt, {@code Negative prompt: ...}, then
         * {@code Steps: 25, Sampler: Euler, CFG scale: 7.5, Seed: 42, Size: 1024x1024, Model: segmind-vega}.
         */
        public String a1111Infotext() {
            StringBuilder sb = new StringBuilder(prompt);
            if (negativePrompt != null && !negativePrompt.isEmpty()) {
                sb.append("\nNegative prompt: ").append(negativePrompt);
            }
            sb.append("\nSteps: ").append(steps)
                    .append(", Sampler: ").append(scheduler)
                    .append(", CFG scale: ").append(formatNumber(guidanceScale))
                    .append(", Seed: ").append(seed)
                    .append(", Size: ").append(width).append('x').append(height)
                    .append(", Model: ").append(model);
            if (strength != null) {
                sb.append(", Denoising strength: ").append(formatNumber(strength));
            }
            return sb.toString();
        }

        private static String formatNumber(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
        }
    }
}

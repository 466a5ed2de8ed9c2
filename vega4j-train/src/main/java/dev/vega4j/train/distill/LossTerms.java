package dev.vega4j.train.distill;

/**
 * The three terms of Segmind's layer-level distillation loss ({@code distill_sdxl.py}):
 * {@code total = task + λ_out · out + λ_feat · feat}.
 *
 * @param task MSE(student output, noise) — the DDPM epsilon objective
 * @param out  MSE(student output, teacher output)
 * @param feat Σ over hooked layers of MSE(student feature, teacher feature)
 */
public record LossTerms(double total, double task, double out, double feat) {
    public String format() {
        return String.format(java.util.Locale.ROOT, "loss %.5f task %.5f out %.5f feat %.5f", total, task, out, feat);
    }
}

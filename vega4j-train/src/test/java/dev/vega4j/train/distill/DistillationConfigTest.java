package dev.vega4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DistillationConfigTest {
    private static final Path T = Path.of("teacher"), S = Path.of("student"), D = Path.of("prompts.txt"),
            O = Path.of("out");

    @Test
    void builderStartsFromTheDocumentedDefaults() {
        // distill_sdxl.py: lr 1e-4, λ_out = λ_feat = 0.5, weight decay 1e-2, max grad norm 1.0, constant LR;
        // vega's: batch 1, 8x8 latents, a checkpoint every 100 steps, teacher latents in 20 steps
        DistillationConfig c = DistillationConfig.builder().teacher(T).student(S).data(D).out(O).steps(10).build();
        assertThat(c).isEqualTo(new DistillationConfig(T, S, D, O, 10, 1e-4, 1, 0.5, 0.5, 0, false, 0, 1e-2, 1.0, 8,
                100, false, LatentSource.TEACHER, DistillationConfig.DEFAULT_TEACHER_STEPS));
        assertThat(DistillationConfig.defaults(T, S, D, O, 10)).isEqualTo(c);
    }

    @Test
    void foldersAndStepsAreRequired() {
        assertThatThrownBy(() -> DistillationConfig.builder().teacher(T).student(S).data(D).out(O).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("steps");
        assertThatThrownBy(() -> DistillationConfig.builder().student(S).data(D).out(O).steps(1).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("teacher");
    }

    @Test
    void toBuilderKeepsEveryValue() {
        DistillationConfig c = new DistillationConfig(T, S, D, O, 7, 3e-4, 2, 0.25, 0.75, 5, true, 3, 0.0, 2.0, 4, 2,
                true, LatentSource.RANDOM, 3);
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.withSteps(9)).isEqualTo(c.toBuilder().steps(9).build());
        assertThat(c.withSteps(9).steps()).isEqualTo(9);
    }
}

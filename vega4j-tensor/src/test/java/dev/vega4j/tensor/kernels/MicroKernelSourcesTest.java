package dev.vega4j.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed microkernels are exactly {@link MicroKernelTemplate}'s output: six shapes, one piece of logic. */
class MicroKernelSourcesTest {

    @Test
    void everyCandidateIsTheTemplateUnrolled() throws Exception {
        Path dir = Path.of("src/main/java/dev/vega4j/tensor/kernels");
        for (MicroKernel k : MicroKernels.CANDIDATES) {
            String name = MicroKernelTemplate.className(k.mr(), k.vectors());
            assertThat(k.getClass().getSimpleName()).isEqualTo(name);
            assertThat(Files.readString(dir.resolve(name + ".java")))
                    .as(name + ": regenerate with MicroKernelTemplate.main")
                    .isEqualTo(MicroKernelTemplate.source(k.mr(), k.vectors()));
        }
    }
}

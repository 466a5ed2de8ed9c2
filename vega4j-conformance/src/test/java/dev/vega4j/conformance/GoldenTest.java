package dev.vega4j.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class GoldenTest {
    @Test
    void goldenFolderIsFoundOrTheErrorNamesTheVariable() {
        // CI must see the data: a missing folder is a failure that names VEGA_GOLDEN, not a skip.
        assertThat(Files.isDirectory(Golden.root().resolve("cases"))).isTrue();
    }

    @Test
    void comparisonReportsTheWorstElement() {
        var ours = dev.vega4j.tensor.Tensor.of(new float[] {1f, 2f, 3.5f}, 3);
        var ref = dev.vega4j.tensor.Tensor.of(new float[] {1f, 2f, 3f}, 3);
        Comparison c = Comparison.maxRel("x", ours, ref, 1e-4);
        assertThat(c.passed()).isFalse();
        assertThat(c.worstIndex()).isEqualTo(2);
        assertThat(c.metric()).isCloseTo(0.5 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Comparison.maxRel("y", ref, ref, 0).passed()).isTrue();
    }
}

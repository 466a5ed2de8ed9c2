package dev.vega4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.folder.ComponentSpec;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every tensor of every model component of the golden tiny pipelines opens, loads as float32 and is finite. */
class GoldenWeightsLoadTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny-vega", "tiny-sdxl", "tiny-sd15"})
    void everyTensorOfEveryComponentLoads(String name) {
        PipelineFolder folder = PipelineFolder.open(Golden.root().resolve(name));
        int components = 0;
        for (ComponentSpec c : folder.components().values()) {
            if (c.kind() != ComponentSpec.Kind.MODEL) {
                continue;
            }
            components++;
            try (SafetensorsWeights w = folder.openWeights(c.name())) {
                assertThat(w.allNames()).as(c.name()).isNotEmpty();
                for (String t : w.allNames()) {
                    TensorInfo info = w.info(t);
                    Tensor x = w.get(t);
                    assertThat((long) x.numel()).as(t).isEqualTo(info.numel());
                    for (float v : x.data()) {
                        if (!Float.isFinite(v)) {
                            throw new AssertionError(c.name() + "/" + t + " has a non-finite value");
                        }
                    }
                }
            }
        }
        assertThat(components).isEqualTo(name.equals("tiny-sd15") ? 3 : 4);
    }
}

package dev.vega4j.train.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.config.UNetConfig;
import dev.vega4j.conformance.CaseResult;
import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.Golden;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.train.autograd.Autograd;
import dev.vega4j.train.autograd.Var;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The trainable UNet's forward against the golden unet cases (every hooked feature, max|d|/max|ref| ≤ 1e-4). */
class TrainableUNetGoldenTest {
    private static final double TOL = 1e-4;

    static TrainableUNet load(Path pipelineDir) {
        Path dir = pipelineDir.resolve("unet");
        try (SafetensorsWeights w = SafetensorsWeights.open(dir.resolve("diffusion_pytorch_model.safetensors"))) {
            return TrainableUNet.create(UNetConfig.load(dir.resolve("config.json")), w);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-vega", "tiny-sdxl"})
    void matchesGoldenCases(String model) {
        GoldenGroup group = GoldenGroup.load(Golden.root(), "unet");
        TrainableUNet unet = load(group.modelDir(model));
        int checked = 0;
        for (GoldenCase c : group.cases()) {
            if (!c.model().equals(model)) {
                continue;
            }
            try {
                Map<String, Tensor> feats = new LinkedHashMap<>();
                Var out = Autograd.noGrad(() -> unet.forward(Var.constant(c.tensor("in.sample")),
                        c.tensor("in.timestep").data(), Var.constant(c.tensor("in.encoder_hidden_states")),
                        c.has("in.text_embeds") ? Var.constant(c.tensor("in.text_embeds")) : null,
                        c.has("in.time_ids") ? Var.constant(c.tensor("in.time_ids")) : null,
                        (name, v) -> feats.put(name, v.value())));
                CaseResult r = new CaseResult(c.id());
                int n = 0;
                for (var e : feats.entrySet()) {
                    if (c.has("feat." + e.getKey())) {
                        r.add(Comparison.maxRel(e.getKey(), e.getValue(), c.tensor("feat." + e.getKey()), TOL));
                        n++;
                    }
                }
                r.add(Comparison.maxRel("out.sample", out.value(), c.tensor("out.sample"), TOL));
                assertThat(r.passed()).as(r.summary()).isTrue();
                assertThat(n).as("features compared in " + c.id()).isGreaterThan(5);
                System.out.println(c.id() + ": " + (n + 1) + " tensors, worst " + r.worstMetric());
                checked++;
            } finally {
                c.close();
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(3);
    }
}

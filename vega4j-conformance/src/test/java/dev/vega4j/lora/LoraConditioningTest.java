package dev.vega4j.lora;

import dev.vega4j.conformance.LoraConformance;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.tensor.ReferenceOps;
import dev.vega4j.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Executable evidence for the one relaxed check of {@link LoraConformance}: the golden full-strength LoRA UNet outputs
 * are beyond float32 resolution, the half-strength ones are not. Two evaluations with double accumulation and one
 * rounding per op output ({@link ReferenceOps}), one of them with one extra rounding-sized perturbation per op output
 * ({@link PerturbedOps}) - equally valid float32 results of the same network - must differ by more than the strict
 * 1e-4 at scale 1.0 and agree far below it at scale 0.5. Deterministic (seeded), about 5 s.
 */
class LoraConditioningTest {
    private static GoldenCase golden;
    private static LoraConformance.Model model;
    private static ActiveLora lora;

    @BeforeAll
    static void load() {
        GoldenGroup g = GoldenGroup.load(Golden.root(), "lora");
        golden = g.cases().get(0);
        model = LoraConformance.Model.load(golden.modelDir());
        LoraAdapter a = LoraAdapter.load(g.dir().resolve(golden.json().get("lora_files").get("kohya").asText()));
        lora = model.targets().attach(a, 1f);
    }

    @AfterAll
    static void close() {
        lora.close();
        golden.close();
    }

    private static double roundingSpread(float scale) {
        lora.setUnetScale(scale);
        Tensor a = LoraConditioningProbe.run(model, golden, new ReferenceOps(), 999f).get("out");
        double spread = 0;
        for (long seed = 1; seed <= 2; seed++) {
            Tensor b = LoraConditioningProbe.run(model, golden, new PerturbedOps(new ReferenceOps(), seed), 999f)
                    .get("out");
            spread = Math.max(spread, LoraConditioningProbe.rel(b, a));
        }
        lora.setUnetScale(1f);
        return spread;
    }

    @Test
    void fullStrengthOutputIsBeyondFloat32Resolution() {
        // measured 1.9e-4 (6 seeds: up to 3.2e-4): one rounding more per op moves the output by more than the
        // UNet tolerance
        assertThat(roundingSpread(1f)).isGreaterThan(LoraConformance.UNET_TOL);
        // and the reference's own fused vs unfused difference (float rounding only) says the same
        assertThat(LoraConformance.referenceNoiseFloor(golden)).isGreaterThan(LoraConformance.UNET_TOL);
    }

    @Test
    void halfStrengthOutputIsWellConditioned() {
        // measured 1.1e-6: here the strict 1e-4 is meaningful, and LoraConformance applies it
        assertThat(roundingSpread(0.5f)).isLessThan(LoraConformance.UNET_TOL / 20);
        assertThat(LoraConformance.floorFor(0.5f, LoraConformance.referenceNoiseFloor(golden))).isZero();
    }
}

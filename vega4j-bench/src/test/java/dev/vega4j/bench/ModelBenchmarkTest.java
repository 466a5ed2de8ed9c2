package dev.vega4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.conformance.Golden;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's plumbing and report shape on the tiny golden pipelines (no timing is checked). */
class ModelBenchmarkTest {
    private static ModelBenchmark.Report tiny(String name, boolean batch1) {
        return ModelBenchmark.run(new ModelBenchmark.Options("vega", Golden.root().resolve(name), 32, 1, true, batch1,
                true, false, false, 0), null);
    }

    @Test
    void jsonHasEveryPhaseWithFlopsAndMemory() throws Exception {
        ModelBenchmark.Report r = tiny("tiny-vega", true);
        JsonNode j = new ObjectMapper().readTree(BenchReports.json(r));
        assertEquals("tiny-vega", j.get("model").asText());
        assertEquals(32, j.get("size").asInt());
        assertTrue(j.get("peakGflops").asDouble() > 0);
        assertTrue(j.get("kvCache").asBoolean());
        JsonNode phases = j.get("phases");
        assertEquals(List.of(ModelBenchmark.TEXT, ModelBenchmark.UNET_B1, ModelBenchmark.UNET_B2, ModelBenchmark.VAE),
                names(phases));
        for (JsonNode p : phases) {
            for (String k : List.of("shape", "flops", "coldSeconds", "medianSeconds", "minSeconds",
                    "medianCpuSeconds", "gflops", "peakGflops", "percentOfPeak", "peakResidentBytes",
                    "extraResidentBytes")) {
                assertTrue(p.has(k), p.get("name") + " lacks " + k);
            }
            // measured on Linux (/proc): a byte count, not the "unavailable" -1
            assertTrue(p.get("extraResidentBytes").asLong() >= 0, p.toString());
            assertTrue(p.get("flops").asDouble() > 0, p.toString());
        }
        // batch 2 is twice the batch-1 work
        assertEquals(2 * phases.get(1).get("flops").asDouble(), phases.get(2).get("flops").asDouble(), 1);
        assertTrue(j.get("image25Steps").get("estimated").asBoolean());
        assertTrue(j.get("buildSeconds").has("unet"));
        assertFalse(j.has("a100Seconds")); // not one of the seed's models
        assertTrue(BenchReports.table(r).contains(ModelBenchmark.VAE));
    }

    @Test
    void sd15FolderAndLatencyTable() throws Exception {
        ModelBenchmark.Report r = tiny("tiny-sd15", false);
        assertEquals(3, r.phases().size());
        String table = BenchReports.latencyTable(List.of(r));
        assertTrue(table.contains("ESTIMATED"), table);
        JsonNode arr = new ObjectMapper().readTree(BenchReports.json(List.of(r)));
        assertEquals(1, arr.size());
    }

    @Test
    void vegaRtEstimateIsTextPlusFourBatch1StepsPlusVae() {
        var text = new ModelBenchmark.Phase(ModelBenchmark.TEXT, "t", 1e9, 2, 1, 1, 1, 0, 100);
        var b1 = new ModelBenchmark.Phase(ModelBenchmark.UNET_B1, "u1", 1e12, 6, 5, 5, 5, 0, 100);
        var b2 = new ModelBenchmark.Phase(ModelBenchmark.UNET_B2, "u2", 2e12, 11, 10, 10, 10, 0, 100);
        var vae = new ModelBenchmark.Phase(ModelBenchmark.VAE, "v", 1e12, 4, 3, 3, 3, 0, 100);
        var r = new ModelBenchmark.Report("vega", "random", 1024, 2, 100, 1, true, false, java.util.Map.of(),
                java.util.List.of(text, b1, b2, vae), 0, 0);
        assertEquals(1 + 4 * 5 + 3, r.vegaRtSeconds(4), 1e-12);
        assertEquals(1 + 25 * 10 + 3, r.imageSeconds(25, false), 1e-12);
        String report = BenchReports.table(r);
        org.assertj.core.api.Assertions.assertThat(report)
                .contains("VegaRT preset, one 4-step image")
                .contains("warm 24.0 s, 10.6x faster than the 25-step default");
        var noB1 = new ModelBenchmark.Report("vega", "random", 1024, 2, 100, 1, true, false, java.util.Map.of(),
                java.util.List.of(text, b2, vae), 0, 0);
        org.assertj.core.api.Assertions.assertThat(noB1.vegaRtSeconds(4)).isNaN();
        org.assertj.core.api.Assertions.assertThat(BenchReports.table(noB1)).doesNotContain("VegaRT");
    }

    @Test
    void randomClipShapesBuildTheRealEncoders() {
        var cfg = dev.vega4j.io.checkpoint.PipelineConfigs.bundled(dev.vega4j.io.checkpoint.CheckpointVariant.SDXL);
        var c2 = dev.vega4j.config.ClipTextConfig.fromJson(
                cfg.json(dev.vega4j.io.checkpoint.PipelineConfigs.TEXT_ENCODER_2), "te2");
        // shapes only (no allocation): every name the model asks for is there, nothing extra
        var shapes = ClipShapes.of(c2);
        long params = shapes.values().stream().mapToLong(s -> dev.vega4j.tensor.Tensor.numel(s)).sum();
        assertEquals(694_659_840L, params); // OpenCLIP bigG text tower with projection (transformers' count)
    }

    @Test
    void tiledVaePhaseUsesTheTileSizeAndReportsItsExtraMemory() throws Exception {
        var o = new ModelBenchmark.Options("vega", Golden.root().resolve("tiny-sdxl"), 192, 1, true, false, true,
                true, false, 0, java.util.Set.of(ModelBenchmark.VAE), false,
                dev.vega4j.tensor.Tensor.Storage.F16, 64);
        ModelBenchmark.Report r = ModelBenchmark.run(o, null);
        assertEquals(List.of(ModelBenchmark.VAE), r.phases().stream().map(ModelBenchmark.Phase::name).toList());
        ModelBenchmark.Phase vae = r.phase(ModelBenchmark.VAE);
        assertTrue(vae.shape().endsWith("tiled 64 px"), vae.shape());
        assertTrue(vae.extraResidentBytes() >= 0);
        // 4 x 4 overlapping tiles of 32 latents (the last row and column 24), not one 96² pass (here less work:
        // the mid-block attention, quadratic in the tile's area, dominates this tiny VAE)
        var v = dev.vega4j.models.vae.AutoencoderKL.load(Golden.root().resolve("tiny-sdxl/vae"));
        v.setTileSampleSize(64);
        double one = FlopCounter.vaeDecode(v.config(), 96, 96, 1).total();
        double t32 = FlopCounter.vaeDecode(v.config(), 32, 32, 1).total();
        assertTrue(vae.flops() != one, vae.flops() + " vs " + one);
        assertTrue(vae.flops() > 9 * t32 && vae.flops() < 16 * t32, vae.flops() + " vs " + t32);
        assertEquals(one, ModelBenchmark.vaeDecodeFlops(v, 96, false));
        JsonNode p = new ObjectMapper().readTree(BenchReports.json(r)).get("phases").get(0);
        assertEquals(vae.extraResidentBytes(), p.get("extraResidentBytes").asLong());
        org.assertj.core.api.Assertions.assertThat(BenchReports.table(r)).contains("extra GiB");
    }

    @Test
    void badOptionsAreReadableErrors() {
        assertThrows(VegaException.class, () -> new ModelBenchmark.Options("vega", null, 100, 1, true, true, true, false, false, 0));
        assertThrows(VegaException.class,
                () -> new ModelBenchmark.Options("nope", null, 64, 1, true, true, true, false, false, 0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ModelBenchmark.Options("vega", null, 64, 1, true,
                true, true, false, false, 0, null, false, dev.vega4j.tensor.Tensor.Storage.F16, 512))
                .isInstanceOf(VegaException.class).hasMessageContaining("--vae-tile-size needs --vae-tiling");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ModelBenchmark.Options("vega", null, 64, 1, true,
                true, true, true, false, 0, null, false, dev.vega4j.tensor.Tensor.Storage.F16, 500))
                .isInstanceOf(VegaException.class).hasMessageContaining("multiple of 8");
    }

    private static List<String> names(JsonNode phases) {
        List<String> out = new java.util.ArrayList<>();
        phases.forEach(p -> out.add(p.get("name").asText()));
        return out;
    }
}

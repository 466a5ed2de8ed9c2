package dev.vega4j.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reports' shape: cold-process times, the peer column, the Vega 512² row (made-up numbers, nothing timed). */
class BenchReportsTest {
    private static final Path ORT = Path.of("..", "docs", "peers", "ort-zen5.json");

    private static ModelBenchmark.Report report(int size, double unetSeconds, double vaeSeconds) {
        var text = new ModelBenchmark.Phase(ModelBenchmark.TEXT, "t", 1e9, 2, 1, 1, 1, 0, 100, 0, 2.5);
        var unet = new ModelBenchmark.Phase(ModelBenchmark.UNET_B2, "u", 1e12, 1.3 * unetSeconds, unetSeconds,
                unetSeconds, 2 * unetSeconds, 0, 100, 0, 2.6 * unetSeconds);
        var vae = new ModelBenchmark.Phase(ModelBenchmark.VAE, "v", 1e12, vaeSeconds, vaeSeconds, vaeSeconds,
                vaeSeconds, 0, 100);
        return new ModelBenchmark.Report("vega", "random", size, 2, 100, 1, true, false, Map.of(),
                List.of(text, unet, vae), 0, 0, true);
    }

    @Test
    void shippedPeerFileParsesAndSitsNextToTheMeasuredRows() {
        PeerNumbers ort = PeerNumbers.read(ORT);
        assertThat(ort.peer()).contains("ONNX Runtime");
        assertEquals(17.85, ort.row("vega", 1024).unetStepB2Seconds(), 1e-12);
        assertEquals(43.1, ort.row("vega", 1024).vaeDecodeSeconds(), 1e-12);
        assertTrue(Double.isNaN(ort.row("vega", 512).vaeDecodeSeconds())); // no figure: shown as "-"
        assertNull(ort.row("sdxl", 1024));

        String table = BenchReports.latencyTable(List.of(report(1024, 17.85 * 1.25, 43.1 / 1.5),
                report(512, 3.85, 6), report(768, 9, 9)), ort);
        assertThat(table).contains("side by side with ONNX Runtime 1.29 Java")
                .contains(ort.machine())
                .contains("1.25x").contains("0.67x") // 1024²: UNet 1.25x slower, VAE 1.5x faster
                .contains("1.00x");                   // 512²: equal
        String row768 = table.lines().filter(l -> l.startsWith("vega") && l.contains("768²"))
                .reduce((a, b) -> b).orElseThrow(); // the peer section's row: the peer has no 768² figures
        assertThat(row768).contains("-");
        assertThat(BenchReports.latencyTable(List.of(report(1024, 1, 1)))).doesNotContain("side by side");
    }

    @Test
    void badPeerFilesAreReadableErrors() throws Exception {
        ObjectMapper m = new ObjectMapper();
        assertThrows(VegaException.class, () -> PeerNumbers.parse(m.readTree("{\"rows\":[]}"), "x"));
        assertThrows(VegaException.class,
                () -> PeerNumbers.parse(m.readTree("{\"peer\":\"p\",\"rows\":[{\"size\":512}]}"), "x"));
        assertThrows(VegaException.class, () -> PeerNumbers.parse(
                m.readTree("{\"peer\":\"p\",\"rows\":[{\"model\":\"vega\",\"size\":512,\"unet_step_b2_s\":\"3\"}]}"),
                "x"));
        assertThrows(VegaException.class, () -> PeerNumbers.read(Path.of("no-such-peer-file.json")));
    }

    @Test
    void jsonCarriesColdCpuStartupCacheAndTheColdProcesses() throws Exception {
        var cold = new ColdGenerate.Result("tiny-vega", 128, 8, new double[] {5, 4, 6}, new double[] {9, 8, 10},
                new double[] {7, 6, 8}, new double[] {12, 11, 13}, true);
        JsonNode j = new ObjectMapper().readTree(BenchReports.json(report(512, 3, 5), cold));
        assertTrue(j.get("startupCache").asBoolean());
        JsonNode unet = j.get("phases").get(1);
        assertEquals(3 * 2.6, unet.get("coldCpuSeconds").asDouble(), 1e-4);
        JsonNode c = j.get("coldGenerate");
        assertEquals("tiny-vega", c.get("model").asText());
        assertEquals(128, c.get("size").asInt());
        assertEquals(8, c.get("steps").asInt());
        assertEquals(3, c.get("withCache").size());
        assertEquals(3, c.get("withoutCache").size());
        assertEquals(5, c.get("medianWithCache").asDouble(), 1e-12);
        assertEquals(9, c.get("medianWithoutCache").asDouble(), 1e-12);
        assertEquals(3, c.get("cpuWithCache").size());
        assertEquals(12, c.get("cpuWithoutCache").get(0).asDouble(), 1e-12);
        assertTrue(c.get("cacheFile").asBoolean());
        assertFalse(new ObjectMapper().readTree(BenchReports.json(report(512, 3, 5))).has("coldGenerate"));

        assertThat(BenchReports.table(report(512, 3, 5), cold)).contains("startup cache on")
                .contains("cold vega generate").contains("median 5.00 s").contains("median 9.00 s")
                .contains("0.58 (CPU)")
                .contains("cold CPU s");
    }

    @Test
    void vega512RowHasNoA100FigureOfItsOwn() throws Exception {
        assertTrue(BenchReports.TABLE.stream().anyMatch(s -> s.family().equals("vega") && s.size() == 512));
        assertNull(BenchReports.seed("vega", 512));
        assertEquals(1.39, BenchReports.seed("vega", 1024).a100Seconds());
        assertFalse(new ObjectMapper().readTree(BenchReports.json(report(512, 3, 5))).has("a100Seconds"));
        assertTrue(new ObjectMapper().readTree(BenchReports.json(report(1024, 3, 5))).has("a100Seconds"));
    }

    @Test
    void coldGenerateRunsTheRealCommandThroughTheLauncher() {
        var o = new ColdGenerate.Options(Path.of("m"), 128, 8, 2);
        assertEquals(List.of("vega", "generate", "a photo of a cat", "-m", "m", "--steps", "8", "--seed", "1", "-o",
                "x.png", "--width", "128", "--height", "128"), ColdGenerate.command(o, Path.of("vega"),
                Path.of("x.png")));
        assertThat(ColdGenerate.command(new ColdGenerate.Options(Path.of("m"), 0, 8, 1), Path.of("vega"),
                Path.of("x.png"))).doesNotContain("--width");
        assertThrows(VegaException.class, () -> new ColdGenerate.Options(Path.of("m"), 0, 0, 1));
        assertEquals(2.5, ColdGenerate.median(new double[] {4, 1, 2, 3}), 1e-12);
        assertTrue(ProcessStats.childrenCpuSeconds() >= 0); // Linux: /proc/self/stat
        assertTrue(Double.isNaN(new ColdGenerate.Result("m", 0, 1, new double[] {1}, new double[] {1}, false)
                .cpuWithCache()[0]));
    }

    @Test
    void aotTrainingRunsEveryPhaseOfTheRealSizeVegaSmallAndOneModelAtATime() {
        ModelBenchmark.Options o = AotTraining.options();
        assertEquals("vega", o.family());
        assertNull(o.modelDir()); // random weights: no files, no network
        assertEquals(AotTraining.SIZE, o.size());
        for (String phase : List.of(ModelBenchmark.TEXT, ModelBenchmark.UNET_B1, ModelBenchmark.UNET_B2,
                ModelBenchmark.VAE)) {
            assertTrue(o.runs(phase), phase);
        }
        assertTrue(o.unetBatch1() && o.sequential() && o.kvCache());
    }
}

package dev.vega4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.tensor.kernels.Winograd;
import dev.vega4j.tensor.kernels.WinogradTransform;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing the {@code vega.*} switches: defaults, every accepted spelling, and readable errors for bad values. */
class SwitchesTest {

    @Test
    void absentOrBlankMeansTheDefaults() {
        for (Map<String, String> values : java.util.List.of(Map.<String, String>of(), Map.of(Switches.OPS, " ",
                Switches.THREADS, "", Switches.PACK_CACHE, "", Switches.WINOGRAD, "", Switches.WEIGHTS_FP32, "",
                Switches.MAP_MIN_ELEMENTS, "", Switches.GOLDEN, "", Switches.REPO_ROOT, ""))) {
            Switches s = Switches.parse(values);
            assertThat(s.ops()).isEqualTo(Switches.OpsImplementation.FAST);
            assertThat(s.threads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
            assertThat(s.packCache()).isFalse();
            assertThat(s.winograd()).isSameAs(Winograd.DEFAULT);
            assertThat(s.weightsFp32()).isFalse();
            assertThat(s.mapMinElements()).isEqualTo(Switches.DEFAULT_MAP_MIN_ELEMENTS).isEqualTo(4096);
            assertThat(s.golden()).isEmpty();
            assertThat(s.repoRoot()).isEmpty();
        }
    }

    @Test
    void validValues() {
        Switches s = Switches.parse(Map.of(Switches.OPS, "reference", Switches.THREADS, " 3 ", Switches.PACK_CACHE,
                "TRUE", Switches.WINOGRAD, "2", Switches.WEIGHTS_FP32, "true", Switches.MAP_MIN_ELEMENTS, "1",
                Switches.GOLDEN, "/data/golden", Switches.REPO_ROOT, "/src/vega4j"));
        assertThat(s.ops()).isEqualTo(Switches.OpsImplementation.REFERENCE);
        assertThat(s.threads()).isEqualTo(3);
        assertThat(s.packCache()).isTrue();
        assertThat(s.winograd()).isSameAs(WinogradTransform.F2);
        assertThat(s.weightsFp32()).isTrue();
        assertThat(s.mapMinElements()).isEqualTo(1);
        assertThat(s.golden()).contains(Path.of("/data/golden"));
        assertThat(s.repoRoot()).contains(Path.of("/src/vega4j"));

        assertThat(Switches.parse(Map.of(Switches.OPS, "fast")).ops()).isEqualTo(Switches.OpsImplementation.FAST);
        assertThat(Switches.parse(Map.of(Switches.PACK_CACHE, "false")).packCache()).isFalse();
        assertThat(Switches.parse(Map.of(Switches.WINOGRAD, "true")).winograd()).isSameAs(Winograd.DEFAULT);
        assertThat(Switches.parse(Map.of(Switches.WINOGRAD, "false")).winograd()).isNull();
        assertThat(Switches.parse(Map.of(Switches.WINOGRAD, "4")).winograd()).isSameAs(WinogradTransform.F4);
        assertThat(Switches.parse(Map.of(Switches.WINOGRAD, "4: 0, 1, -1, 0.5, -2")).winograd().points())
                .containsExactly(0, 1, -1, 0.5, -2);
        assertThat(Switches.parse(Map.of(Switches.MAP_MIN_ELEMENTS, "0")).mapMinElements()).isZero();
    }

    @Test
    void kernelsAreAutoOrACandidateShapeAndTheCacheDirAPath() {
        assertThat(Switches.parse(Map.of()).kernels()).isEmpty();
        assertThat(Switches.parse(Map.of(Switches.KERNELS, "auto")).kernels()).isEmpty();
        assertThat(Switches.parse(Map.of(Switches.KERNELS, "6x2")).kernels()).contains("6x2");
        assertThat(Switches.parse(Map.of(Switches.CACHE_DIR, "/tmp/v")).cacheDir()).contains(java.nio.file.Path.of(
                "/tmp/v"));
        assertBad(Switches.KERNELS, "12x32", "-Dvega.kernels=12x32 is not a valid value: vega.kernels takes auto"
                + " (default) or one of 12x2, 14x2, 8x3, 6x4, 6x2, 4x3");
    }

    @Test
    void gemmBlockingIsAutoOrKcByMc() {
        assertThat(Switches.parse(Map.of()).gemmBlocking()).isEmpty();
        assertThat(Switches.parse(Map.of(Switches.GEMM_BLOCKING, "auto")).gemmBlocking()).isEmpty();
        assertThat(Switches.parse(Map.of(Switches.GEMM_BLOCKING, "512x96")).gemmBlocking()).contains("512x96");
        for (String bad : new String[] {"512", "0x96", "512x0", "x96", "12345x96", "512x96x2"}) {
            assertBad(Switches.GEMM_BLOCKING, bad, "-Dvega.gemmBlocking=" + bad + " is not a valid value:"
                    + " vega.gemmBlocking takes auto (default) or <kc>x<mc>");
        }
    }

    @Test
    void aBadValueNamesTheSwitchAndWhatItTakes() {
        assertBad(Switches.WINOGRAD, "banana", "-Dvega.winograd=banana is not a valid value: vega.winograd takes"
                + " true (default), false, 2, 4 or 4:<five distinct points, comma separated>");
        assertBad(Switches.WINOGRAD, "4:0,1,x,2,-2", "-Dvega.winograd=4:0,1,x,2,-2", "x");
        assertBad(Switches.WINOGRAD, "4:0,1,-1,2", "-Dvega.winograd=4:0,1,-1,2", "needs 5 finite points");
        assertBad(Switches.WINOGRAD, "4:0,1,1,2,-2", "distinct");
        assertBad(Switches.OPS, "slow", "-Dvega.ops=slow is not a valid value: vega.ops takes fast or reference");
        assertBad(Switches.THREADS, "0", "-Dvega.threads=0", "a positive integer");
        assertBad(Switches.THREADS, "four", "-Dvega.threads=four", "a positive integer");
        assertBad(Switches.PACK_CACHE, "yes", "-Dvega.packCache=yes", "true or false (default false)");
        assertBad(Switches.WEIGHTS_FP32, "1", "-Dvega.weights.fp32=1", "true or false");
        assertBad(Switches.MAP_MIN_ELEMENTS, "-1", "-Dvega.weights.mapMinElements=-1", ">= 0 (default 4096)");
        assertBad(Switches.MAP_MIN_ELEMENTS, "4k", "-Dvega.weights.mapMinElements=4k");
    }

    private static void assertBad(String name, String value, String... messageParts) {
        assertThatThrownBy(() -> Switches.parse(Map.of(name, value)))
                .isInstanceOf(Switches.InvalidSwitchException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void theProcessSwitchesAreReadOnce() {
        Switches s = Switches.get();
        assertThat(Switches.get()).isSameAs(s);
        String before = System.getProperty(Switches.MAP_MIN_ELEMENTS);
        System.setProperty(Switches.MAP_MIN_ELEMENTS, "7");
        try {
            assertThat(Switches.get()).isSameAs(s); // a later change of the property is not seen
        } finally {
            if (before == null) {
                System.clearProperty(Switches.MAP_MIN_ELEMENTS);
            } else {
                System.setProperty(Switches.MAP_MIN_ELEMENTS, before);
            }
        }
    }

    @Test
    void testsOverrideSwitchesForABlockAndGetThemBack() {
        Switches s = Switches.get();
        long inner = Switches.withOverrides(Map.of(Switches.MAP_MIN_ELEMENTS, "1"), () -> {
            assertThat(Switches.get().threads()).isEqualTo(s.threads());
            return Switches.withOverrides(Map.of(Switches.WEIGHTS_FP32, "true"), () -> {
                assertThat(Switches.get().weightsFp32()).isTrue();
                return Switches.get().mapMinElements(); // the outer override still holds
            });
        });
        assertThat(inner).isEqualTo(1);
        assertThat(Switches.get()).isSameAs(s);
        assertThatThrownBy(() -> Switches.withOverrides(Map.of(Switches.THREADS, "-2"), () -> 0))
                .hasMessageContaining("-Dvega.threads=-2");
        assertThat(Switches.get()).isSameAs(s);
    }
}

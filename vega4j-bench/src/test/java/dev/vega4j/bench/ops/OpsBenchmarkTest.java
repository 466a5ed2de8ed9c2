package dev.vega4j.bench.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.bench.ops.BenchCase;
import dev.vega4j.bench.ops.OpsBenchmark;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's bookkeeping (flop counts, JSON shape); never its speed. */
class OpsBenchmarkTest {

    @Test
    void flopCountsFollowTheDefinitions() {
        assertThat(BenchCase.linearFlops(4096, 5760, 640)).isEqualTo(2.0 * 4096 * 5760 * 640);
        // direct convolution: every output element is C·9 multiply-adds
        assertThat(BenchCase.convFlops(2, 320, 128, 128, 320, 3, 3)).isEqualTo(2.0 * 2 * 320 * 128 * 128 * 320 * 9);
        // QKᵀ and PV, 2·T·T·d each per head
        assertThat(BenchCase.attentionFlops(2, 10, 4096, 4096, 64)).isEqualTo(2 * 10 * 2 * (2.0 * 4096 * 4096 * 64));
        // the full list carries the Vega shapes from the issue
        List<BenchCase> full = OpsBenchmark.cases(false);
        assertThat(full).extracting(BenchCase::shape).contains("M=4096 K=5760 N=640", "M=16384 K=2880 N=320",
                "M=1024 K=11520 N=1280", "M=4096 K=640 N=640", "M=4096 K=640 N=5120", "M=4096 K=64 N=4096",
                "N=2 C=320 H=W=128 O=320", "N=2 C=640 H=W=64 O=640", "N=2 C=1280 H=W=32 O=1280",
                "B=2 heads=10 T=4096 d=64", "B=2 heads=20 T=1024 d=64", "[2, 640, 64, 64] groups=32");
        for (BenchCase c : full) {
            assertThat(c.flops() > 0 ^ c.bytes() > 0).as(c.group() + " has exactly one kind of work").isTrue();
        }
    }

    @Test
    void jsonHasOneObjectPerResult() {
        BenchCase lin = new BenchCase("linear", "M=2 K=3 N=4", BenchCase.linearFlops(2, 3, 4), 0, ops -> () -> { });
        BenchCase gn = new BenchCase("groupNorm", "[1, 2]", 0, 64, ops -> () -> { });
        OpsBenchmark.Report report = new OpsBenchmark.Report(2, 512, 100.0, 50.0, 32.0, false,
                List.of(new OpsBenchmark.Result(lin, 1e-6, 2e-6, 2e-6), new OpsBenchmark.Result(gn, 1e-6, 1e-6, 1e-6)));
        String json = OpsBenchmark.json(report);
        assertThat(json).startsWith("{\"peakGflops\":100,\"corePeakGflops\":50,\"bandwidthGbs\":32,\"threads\":2,\"vectorBits\":512,"
                + "\"packCache\":false,\"results\":[");
        // 48 flops in 1 µs = 0.048 GFLOPS = 0.048 % of 100; over 2 µs of CPU: 0.024 GFLOPS per core = 0.048 % of 50
        assertThat(json).contains("{\"op\":\"linear\",\"shape\":\"M=2 K=3 N=4\",\"bestMs\":0.001000,"
                + "\"medianMs\":0.002000,\"cpuMs\":0.002000,\"flops\":48,\"gflops\":0.04800,"
                + "\"percentOfPeak\":0.04800,\"gflopsPerCore\":0.02400,\"percentOfCorePeak\":0.04800}");
        assertThat(json).contains("{\"op\":\"groupNorm\",\"shape\":\"[1, 2]\",\"bestMs\":0.001000,"
                + "\"medianMs\":0.001000,\"cpuMs\":0.001000,\"bytes\":64,\"gbPerSecond\":0.06400,"
                + "\"percentOfBandwidth\":0.2000}");
        assertThat(json).endsWith("]}");
        assertThat(OpsBenchmark.table(report)).contains("linear").contains("groupNorm").contains("100.0 GFLOPS")
                .contains("32.0 GB/s");
    }

    @Test
    void filterSelectsByAnyCommaSeparatedPart() {
        List<String> picked = OpsBenchmark.cases(false).stream()
                .filter(c -> OpsBenchmark.selected(c, "layerNorm, geglu"))
                .map(c -> c.group() + " " + c.shape()).toList();
        assertThat(picked).containsExactly("layerNorm [2, 4096, 640]", "geglu [2, 4096, 10240]");
        assertThat(OpsBenchmark.cases(false).stream().filter(c -> OpsBenchmark.selected(c, "groupNorm"))).hasSize(2);
        assertThat(OpsBenchmark.cases(false).stream().filter(c -> OpsBenchmark.selected(c, null)))
                .hasSameSizeAs(OpsBenchmark.cases(false));
        assertThat(OpsBenchmark.cases(false).stream().filter(c -> OpsBenchmark.selected(c, ","))).isEmpty();
    }

    @Test
    void quickRunMeasuresPeakAndOneCase() {
        OpsBenchmark.Report r = OpsBenchmark.run(new OpsBenchmark.Options(true, 2, 1, "linear M=256", false), null);
        assertThat(r.results()).hasSize(1);
        assertThat(r.peakGflops()).isPositive();
        assertThat(r.bandwidthGbs()).isPositive();
        assertThat(r.results().get(0).bestSeconds()).isPositive();
    }
}

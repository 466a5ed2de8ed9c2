package dev.vega4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.tensor.kernels.MicroKernel;
import dev.vega4j.tensor.kernels.MicroKernels;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The guarantee that the same inputs give the same bits on any x86-64 CPU: child JVMs run {@link BitsProbe} with every
 * register tile ({@code -Dvega.kernels}), GEMM blockings of short and long K blocks ({@code -Dvega.gemmBlocking})
 * and with 256-bit vectors ({@code -XX:MaxVectorSize=32}, what an AVX2 machine
 * gives the Vector API) as well as this machine's width, each with 1, 2 and 3 threads; every op's output bits must
 * agree (on an AVX2 machine both widths are 256-bit and the tiles and threads are still compared).
 */
class SameBitsEverywhereTest {
    /** Each child's lane count, by run name. */
    private final Map<String, Integer> lanes = new LinkedHashMap<>();

    @Test
    void everyKernelShapeVectorWidthAndThreadCountGivesTheSameBits() throws Exception {
        Map<String, List<String>> runs = new LinkedHashMap<>();
        List<String> blockings = List.of("128x96", "512x192", "384x144");
        int i = 0;
        for (MicroKernel k : MicroKernels.CANDIDATES) {
            runs.put(k.shape() + " default width", probe(k.shape(), blockings.get(i++ % 3), null));
        }
        for (String shape : List.of("12x2", "6x2", "8x3")) {
            runs.put(shape + " 256-bit", probe(shape, blockings.get(i++ % 3), "-XX:MaxVectorSize=32"));
        }
        assertThat(lanes.get("12x2 256-bit")).as("lanes under -XX:MaxVectorSize=32").isLessThanOrEqualTo(8);
        String firstName = runs.keySet().iterator().next();
        List<String> first = runs.get(firstName);
        assertThat(first).isNotEmpty().noneMatch(l -> l.contains("threads-differ"));
        for (var e : runs.entrySet()) {
            assertThat(e.getValue()).as(e.getKey() + " vs " + firstName).isEqualTo(first);
        }
    }

    /** The probe's "op ..." lines in a child JVM with the test JVM's own flags plus the given ones. */
    private List<String> probe(String kernels, String blocking, String extraFlag)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Dvega.kernels") && !a.startsWith("-Dvega.gemmBlocking") && !a.startsWith("-XX:MaxVectorSize") && !a.startsWith("-agentlib")
                    && !a.startsWith("-javaagent")) {
                cmd.add(a);
            }
        }
        cmd.add("-Dvega.kernels=" + kernels);
        cmd.add("-Dvega.gemmBlocking=" + blocking);
        if (extraFlag != null) {
            cmd.add(extraFlag);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BitsProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String header = out.lines().filter(l -> l.startsWith("kernel ")).findFirst().orElseThrow();
        assertThat(header).startsWith("kernel " + kernels + " lanes ");
        lanes.put(kernels + (extraFlag == null ? " default width" : " 256-bit"),
                Integer.parseInt(header.substring(header.lastIndexOf(' ') + 1)));
        return out.lines().filter(l -> l.startsWith("op ")).toList();
    }
}

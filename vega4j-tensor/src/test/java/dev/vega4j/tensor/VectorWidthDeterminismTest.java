package dev.vega4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Same bits whatever the vector width: the kernels use the JVM's preferred species, fixed per process, so the
 * width-sensitive ops ({@link WidthProbeMain}) run in two forked JVMs, one with the default width and one with
 * {@code -XX:MaxVectorSize=32} (the 256-bit species an AVX2 machine gets; on such a machine both runs are 256-bit
 * and the test still checks the thread counts), each with 1, 2 and 3 threads; every hash must agree.
 */
class VectorWidthDeterminismTest {

    @Test
    void normsSoftmaxAndActivationsAreBitIdenticalAcrossVectorWidthsAndThreads() throws Exception {
        Run wide = fork(List.of());
        Run narrow = fork(List.of("-XX:MaxVectorSize=32"));
        assertThat(narrow.lanes).as("lanes under -XX:MaxVectorSize=32").isLessThanOrEqualTo(8);
        assertThat(wide.hashes).isNotEmpty();
        assertThat(narrow.hashes.keySet()).isEqualTo(wide.hashes.keySet());
        for (Map.Entry<String, String> e : wide.hashes.entrySet()) {
            String op = e.getKey();
            assertThat(narrow.hashes.get(op)).as(op + ": " + narrow.lanes + " lanes vs " + wide.lanes)
                    .isEqualTo(e.getValue());
        }
    }

    private record Run(int lanes, Map<String, String> hashes) {}

    /** Runs WidthProbeMain in a JVM like this one (same java, class path and vega JIT flags) plus {@code extra}. */
    private static Run fork(List<String> extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(vegaJvmFlags());
        cmd.addAll(extra);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WidthProbeMain.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("forked JVM %s:%n%s", cmd, out).isZero();
        int lanes = -1;
        // op -> hash, checked equal over the thread counts here
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 2 && f[0].equals("lanes")) {
                lanes = Integer.parseInt(f[1]);
            } else if (f.length == 3) {
                String prev = hashes.putIfAbsent(f[0], f[2]);
                assertThat(prev == null ? f[2] : prev).as(f[0] + " with " + f[1] + " threads, " + extra)
                        .isEqualTo(f[2]);
            }
        }
        assertThat(lanes).as("lanes line in%n%s", out).isPositive();
        return new Run(lanes, hashes);
    }

    /** The parent pom's vega.jvmFlags as this test JVM got them (module, native access, JIT rules). */
    private static List<String> vegaJvmFlags() {
        List<String> flags = new ArrayList<>();
        boolean vectorModule = false;
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-modules") || a.startsWith("--enable-native-access")
                    || a.startsWith("-XX:CompileCommand")) {
                flags.add(a);
                vectorModule |= a.contains("jdk.incubator.vector");
            }
        }
        if (!vectorModule) {
            flags.add("--add-modules=jdk.incubator.vector");
        }
        return flags;
    }
}

package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's guarantee, end to end: {@code vega generate} with the same seed writes the same PNG bytes with 512-bit
 * and 256-bit vectors ({@code -XX:MaxVectorSize=32}: what an AVX2 CPU gives the Vector API), any GEMM register tile
 * and any thread count. Each run is a child JVM, as a user's would be.
 */
@Timeout(600)
class SameImageEverywhereTest {
    @TempDir
    Path tmp;

    @Test
    void tinyVegaAndSd15GiveTheSameBytesOnEveryVectorWidthTileAndThreadCount() throws Exception {
        for (String model : List.of("tiny-vega", "tiny-sd15")) {
            byte[] reference = generate(model, "ref");
            assertThat(generate(model, "avx2", "-XX:MaxVectorSize=32", "-Dvega.kernels=6x2")).as(model + " 256-bit")
                    .isEqualTo(reference);
            assertThat(generate(model, "tile", "-Dvega.kernels=8x3", "-Dvega.threads=1"))
                    .as(model + " 8x3, one thread").isEqualTo(reference);
        }
    }

    private byte[] generate(String model, String name, String... jvmFlags) throws Exception {
        Path out = tmp.resolve(model + "-" + name + ".png");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Dvega.kernels")
                    && !a.startsWith("-Dvega.threads")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), VegaCli.class.getName(), "generate",
                "a lighthouse on a cliff, stormy sea", "-n", "blurry", "-m", Golden.root().resolve(model).toString(),
                "--seed", "7", "--steps", "3", "--width", "64", "--height", "64", "-o", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        return Files.readAllBytes(out);
    }
}

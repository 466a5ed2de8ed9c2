package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vega batch} writes the PNG {@code vega generate} writes for the same prompt, seed, steps and size. */
@Timeout(600)
class BatchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void batchImageIsByteForByteTheGenerateImage() throws Exception {
        for (String model : new String[] {"tiny-vega", "tiny-sd15"}) {
            String dir = Golden.root().resolve(model).toString();
            Path input = Files.writeString(tmp.resolve(model + ".jsonl"), """
                    {"id":"lighthouse","prompt":"a lighthouse on a cliff, stormy sea","negative_prompt":"blurry",\
                    "seed":7,"steps":2,"width":64,"height":64}
                    {"id":"broken","prompt":"a lighthouse","scheduler":"Nope"}
                    """);
            Path out = tmp.resolve(model + "-out");
            assertThat(run("batch", "--model", dir, "--input", input.toString(), "--out", out.toString(),
                    "--master", "local[2]")).isZero();
            Path generated = tmp.resolve(model + "-generate.png");
            assertThat(run("generate", "a lighthouse on a cliff, stormy sea", "-n", "blurry", "-m", dir, "--seed",
                    "7", "--steps", "2", "--width", "64", "--height", "64", "-o", generated.toString())).isZero();
            assertThat(Files.readAllBytes(out.resolve("images/lighthouse.png"))).as(model)
                    .isEqualTo(Files.readAllBytes(generated));
            try (var images = Files.list(out.resolve("images"))) {
                assertThat(images.count()).isEqualTo(1);
            }
            assertThat(out.resolve("results.parquet")).isDirectory();
        }
    }

    @Test
    void badOptionsFailBeforeSparkStarts() {
        StringWriter err = new StringWriter();
        CommandLine cl = VegaCli.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("batch", "--model", "m", "--input", "x.jsonl", "--out", tmp.toString(), "--format",
                "gif")).isEqualTo(1);
        assertThat(err.toString()).contains("--format must be png or jpeg, got 'gif'");
    }

    private static int run(String... args) {
        return VegaCli.commandLine().execute(args);
    }
}

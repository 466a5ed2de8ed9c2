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
    void aRowsLoraIsFusedForThatRowOnlyAsGenerateFusesIt() throws Exception {
        String dir = Golden.root().resolve("tiny-vega").toString();
        String lora = Golden.root().resolve("cases/lora/lora_kohya.safetensors") + ":0.8";
        Path input = Files.writeString(tmp.resolve("lora.jsonl"), """
                {"id":"with","prompt":"a red fox","seed":3,"steps":2,"width":64,"height":64,"lora":"%s"}
                {"id":"without","prompt":"a red fox","seed":3,"steps":2,"width":64,"height":64}
                {"id":"misfit","prompt":"a red fox","seed":3,"steps":2,"width":64,"height":64,"lora":"%s"}
                """.formatted(lora, Golden.root().resolve("cases/lora/lora_outputs.safetensors")));
        Path out = tmp.resolve("lora-out");
        // one partition: the rows run in input order on one pipeline, so "without" runs after the LoRA was unfused
        assertThat(run("batch", "--model", dir, "--input", input.toString(), "--out", out.toString(), "--partitions",
                "1", "--results-format", "jsonl")).isZero();
        Path withLora = tmp.resolve("with.png");
        Path plain = tmp.resolve("without.png");
        assertThat(run("generate", "a red fox", "-m", dir, "--seed", "3", "--steps", "2", "--width", "64", "--height",
                "64", "--lora", lora, "-o", withLora.toString())).isZero();
        assertThat(run("generate", "a red fox", "-m", dir, "--seed", "3", "--steps", "2", "--width", "64", "--height",
                "64", "-o", plain.toString())).isZero();
        assertThat(Files.readAllBytes(out.resolve("images/with.png"))).isEqualTo(Files.readAllBytes(withLora));
        assertThat(Files.readAllBytes(out.resolve("images/without.png"))).isEqualTo(Files.readAllBytes(plain));
        assertThat(out.resolve("images/misfit.png")).doesNotExist();
        assertThat(Files.readAllLines(out.resolve("results.jsonl")).get(2)).contains("\"row\":3", "\"status\":\"error\"");
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

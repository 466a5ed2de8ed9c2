package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.pipeline.ProgressListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vega generate}'s bar with the real tiny SD 1.5 pipeline: it counts denoising steps out of
 * {@code --steps}, as diffusers' progress bar does, not UNet calls (Heun: 2n-1, PNDM: n+1).
 */
class GenerateProgressTest {
    private static final Pattern STEP = Pattern.compile("^denoise .* (\\d+)/(\\d+) ", Pattern.MULTILINE);
    static Pipeline tiny;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        tiny = Pipelines.load(Golden.root().resolve("tiny-sd15").toString());
    }

    @AfterAll
    static void close() throws Exception {
        if (tiny != null) {
            tiny.close();
        }
    }

    /** The "step/total" of every bar line. */
    List<String> bar(String... args) {
        GenerateCommand cmd = new GenerateCommand((model, progress) -> new Unclosed(tiny));
        cmd.workDir = tmp;
        cmd.terminal = false;
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(cmd);
        cl.setExecutionExceptionHandler(new VegaCli.ErrorHandler());
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute(args)).as(err.toString()).isZero();
        Matcher m = STEP.matcher(err.toString());
        return m.results().map(r -> r.group(1) + "/" + r.group(2)).toList();
    }

    @Test
    void heunShowsTheStepsAskedFor() {
        assertThat(bar("x", "--scheduler", "Heun", "--steps", "5", "--seed", "1", "--width", "64", "--height", "64",
                "-o", tmp.resolve("h.png").toString())).containsExactly("1/5", "2/5", "3/5", "4/5", "5/5");
    }

    @Test
    void pndmAndEulerToo() {
        // PNDM is tiny-sd15's own scheduler (skip_prk_steps, one warm-up call more than steps)
        assertThat(bar("x", "--steps", "4", "--seed", "1", "--width", "64", "--height", "64", "-o",
                tmp.resolve("p.png").toString())).containsExactly("1/4", "2/4", "3/4", "4/4");
        assertThat(bar("x", "--scheduler", "Euler", "--steps", "3", "--seed", "1", "--width", "64", "--height", "64",
                "-o", tmp.resolve("e.png").toString())).containsExactly("1/3", "2/3", "3/3");
    }

    /** Keeps the shared pipeline open when the command closes what its loader returned. */
    record Unclosed(Pipeline p) implements Pipeline {
        @Override
        public ModelInfo info() {
            return p.info();
        }

        @Override
        public GenerationResult generate(GenerationRequest r, ProgressListener l, Cancellation c) {
            return p.generate(r, l, c);
        }

        @Override
        public void close() {}
    }
}

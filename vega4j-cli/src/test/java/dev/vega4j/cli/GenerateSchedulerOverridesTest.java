package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vega generate --prediction-type ... --zero-snr} on the tiny golden Vega (an epsilon model with Euler): the
 * overrides run end to end and change the image; bad values are one-line errors before the model loads.
 */
@Timeout(120)
class GenerateSchedulerOverridesTest {
    @TempDir
    Path tmp;

    final StringWriter log = new StringWriter();

    int generate(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("a red fox", "-m", Golden.root().resolve("tiny-vega").toString(),
                "--seed", "5", "--steps", "2", "--width", "64", "--height", "64", "-o", out.toString()));
        return GenerateRun.execute(log, args, extra);
    }

    int[] pixels(String name, String... extra) throws Exception {
        Path out = tmp.resolve(name + ".png");
        assertThat(generate(out, extra)).as(log.toString()).isZero();
        return GeneratePromptWeightingTest.pixels(Files.readAllBytes(out));
    }

    @Test
    void vPredictionWithZeroSnrRunsAndChangesTheImage() throws Exception {
        int[] plain = pixels("plain");
        int[] vZsnr = pixels("v-zsnr", "--prediction-type", "v_prediction", "--zero-snr");
        assertThat(vZsnr).isNotEqualTo(plain);
        // each override on its own changes the image too; the model's own values change nothing
        assertThat(pixels("v", "--prediction-type", "v_prediction")).isNotEqualTo(plain).isNotEqualTo(vZsnr);
        assertThat(pixels("zsnr", "--zero-snr")).isNotEqualTo(plain).isNotEqualTo(vZsnr);
        assertThat(pixels("as-model", "--prediction-type", "epsilon", "--no-zero-snr")).isEqualTo(plain);
        // the usual companion of zero SNR: guidance_rescale (the guidance itself is checked by the pipelines group)
        assertThat(pixels("v-zsnr-rescaled", "--prediction-type", "v_prediction", "--zero-snr",
                "--guidance-rescale", "0.7")).isNotEqualTo(vZsnr);
    }

    @Test
    void badOverridesAreOneLineErrors() {
        assertThat(generate(tmp.resolve("a.png"), "--prediction-type", "velocity")).isEqualTo(1);
        assertThat(log.toString()).contains("prediction_type 'velocity' is not supported")
                .contains("epsilon, v_prediction or sample").doesNotContain("loading").doesNotContain("\tat ");
        // Heun has no zero-SNR option in diffusers 0.26.3: refused, not silently dropped
        assertThat(generate(tmp.resolve("b.png"), "--zero-snr", "--scheduler", "Heun")).isEqualTo(1);
        assertThat(log.toString()).contains("not an option of HeunDiscreteScheduler").doesNotContain("\tat ");
        assertThat(generate(tmp.resolve("c.png"), "--guidance-rescale", "1.5")).isEqualTo(1);
        assertThat(log.toString()).contains("guidance rescale must be between 0 and 1, got 1.5");
    }

    @Test
    void helpSaysWhyDpmPlusPlusSdeIsMappedAsItIs() {
        StringWriter help = new StringWriter();
        CommandLine cl = new CommandLine(new GenerateCommand());
        cl.setOut(new PrintWriter(help, true));
        cl.execute("--help");
        String text = help.toString().replaceAll("\\s+", " ");
        assertThat(text).contains("--prediction-type").contains("--[no-]zero-snr")
                .contains("\"DPM++ SDE Karras\" run DPM-Solver++ 2M SDE").contains("torchsde");
    }
}

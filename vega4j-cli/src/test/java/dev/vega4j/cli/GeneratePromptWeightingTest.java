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

/** {@code vega generate --prompt-weighting} on the tiny golden Vega: opt-in A1111 emphasis. */
@Timeout(120)
class GeneratePromptWeightingTest {
    @TempDir
    Path tmp;

    byte[] generate(String prompt, boolean weighting) throws Exception {
        Path out = tmp.resolve("img-" + weighting + "-" + Integer.toHexString(prompt.hashCode()) + ".png");
        List<String> args = new ArrayList<>(List.of(prompt, "-m", Golden.root().resolve("tiny-vega").toString(),
                "--seed", "5", "--steps", "2", "--width", "64", "--height", "64", "-o", out.toString()));
        if (weighting) {
            args.add("--prompt-weighting");
        }
        CommandLine cl = new CommandLine(new GenerateCommand());
        StringWriter log = new StringWriter();
        cl.setOut(new PrintWriter(log, true));
        cl.setErr(new PrintWriter(log, true));
        assertThat(cl.execute(args.toArray(String[]::new))).as(log.toString()).isZero();
        return Files.readAllBytes(out);
    }

    /** The image without the PNG text chunk, whose prompt differs. */
    static int[] pixels(byte[] png) throws Exception {
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void plainPromptIsUnchangedAndEmphasisChangesTheImage() throws Exception {
        assertThat(generate("a red fox in the snow", true)).isEqualTo(generate("a red fox in the snow", false));
        byte[] plain = generate("a red fox in the snow", false);
        // weight 1 is no emphasis: the same token ids and embeddings as the plain prompt, so the same pixels
        assertThat(pixels(generate("a (red fox:1.0) in the snow", true))).isEqualTo(pixels(plain));
        assertThat(pixels(generate("a (red fox:1.6) in the snow", true))).isNotEqualTo(pixels(plain));
    }
}

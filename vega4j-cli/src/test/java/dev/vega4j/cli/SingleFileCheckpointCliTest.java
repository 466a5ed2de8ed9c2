package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code vega convert} and single-file models end to end on the golden tiny pipelines: folder → single file → folder,
 * and the image of each is the folder's, pixel for pixel.
 */
@Timeout(300)
class SingleFileCheckpointCliTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    static Run vega(String... args) {
        CommandLine cl = VegaCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** The one error line a failed command ends with; no stack trace before it. */
    static String errorLine(Run r) {
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("\tat ", "Exception");
        String[] lines = r.err().strip().split("\n");
        assertThat(lines[lines.length - 1]).startsWith("vega: error: ");
        return lines[lines.length - 1];
    }

    /** The pixels of {@code vega generate -m MODEL [extra]} (the PNG's text chunk names the model, so not the bytes). */
    int[] generate(String model, String name, String... extra) throws Exception {
        return generatePrompt("a lighthouse on a cliff", model, name, extra);
    }

    int[] generatePrompt(String prompt, String model, String name, String... extra) throws Exception {
        Path png = tmp.resolve(name + ".png");
        List<String> args = new ArrayList<>(List.of("generate", prompt, "-n", "blurry", "-m", model,
                "--seed", "11", "--steps", "2", "--width", "64", "--height", "64", "-o", png.toString()));
        args.addAll(List.of(extra));
        Run r = vega(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(png)));
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-vega", "tiny-sdxl", "tiny-sd15"})
    void aFolderConvertedToASingleFileAndBackGivesTheSamePixels(String model) throws Exception {
        Path folder = Golden.root().resolve(model);
        Path single = tmp.resolve(model + ".safetensors");
        Path back = tmp.resolve(model + "-back");

        Run toFile = vega("convert", folder.toString(), single.toString(), "--dtype", "fp32");
        assertThat(toFile.exit()).as(toFile.err()).isZero();
        Run toFolder = vega("convert", single.toString(), back.toString(), "--config", folder.toString());
        assertThat(toFolder.exit()).as(toFolder.err()).isZero();
        assertThat(back.resolve("model_index.json")).exists();
        assertThat(back.resolve("tokenizer/vocab.json")).exists();

        int[] reference = generate(folder.toString(), "folder");
        // a flat image would make the comparisons trivial
        assertThat(java.util.Arrays.stream(reference).distinct().count()).isGreaterThan(16);
        assertThat(generate(single.toString(), "single", "--config", folder.toString())).isEqualTo(reference);
        assertThat(generate(back.toString(), "back")).isEqualTo(reference);
    }

    @Test
    void aUNetOnlyFileTakesTheRestFromTheConfigFolder() throws Exception {
        Path folder = Golden.root().resolve("tiny-sd15");
        Path single = tmp.resolve("whole.safetensors");
        assertThat(vega("convert", folder.toString(), single.toString()).exit()).isZero();
        Path unetOnly = tmp.resolve("unet-only.safetensors");
        Map<String, Tensor> unet = new LinkedHashMap<>();
        try (SafetensorsWeights w = SafetensorsWeights.open(single)) {
            w.allNames().stream().filter(n -> n.startsWith("model.diffusion_model.")).forEach(n -> unet.put(n, w.get(n)));
        }
        SafetensorsWriter.write(unetOnly, unet, Map.of());

        Run noConfig = vega("generate", "x", "-m", unetOnly.toString(), "--steps", "1", "-o",
                tmp.resolve("never.png").toString());
        assertThat(errorLine(noConfig)).contains("--config");

        int[] reference = generate(folder.toString(), "folder");
        assertThat(generate(unetOnly.toString(), "unet-only", "--config", folder.toString())).isEqualTo(reference);
        // a UNet file under diffusers names (a diffusers unet/ weights file on its own)
        assertThat(generate(folder.resolve("unet/diffusion_pytorch_model.safetensors").toString(), "diffusers-unet",
                "--config", folder.toString())).isEqualTo(reference);
    }

    @Test
    void promptWeightingAndServingWorkOnSingleFiles() throws Exception {
        Path folder = Golden.root().resolve("tiny-vega");
        Path single = tmp.resolve("tiny-vega.safetensors");
        assertThat(vega("convert", folder.toString(), single.toString()).exit()).isZero();
        String weighted = "a (lighthouse:1.5) on a [cliff]";
        int[] fromFolder = generatePrompt(weighted, folder.toString(), "pw-folder", "--prompt-weighting");
        assertThat(fromFolder).isNotEqualTo(generate(folder.toString(), "plain"));
        assertThat(generatePrompt(weighted, single.toString(), "pw-single", "--config", folder.toString(),
                "--prompt-weighting")).isEqualTo(fromFolder);

        try (dev.vega4j.pipeline.Pipeline p = ServeCommand.load(single.toString(), folder.toString())) {
            assertThat(p.info().name()).isEqualTo("tiny-vega");
            assertThat(p.info().family()).isEqualTo(dev.vega4j.pipeline.Pipeline.Family.SDXL);
            assertThat(ServeCommand.promptWeighting(p, single.toString(), folder.toString())).isNotNull();
        }
    }

    @Test
    void truncatedAndUnknownFilesAreOneLineErrors() throws Exception {
        Path single = tmp.resolve("whole.safetensors");
        assertThat(vega("convert", Golden.root().resolve("tiny-sd15").toString(), single.toString()).exit()).isZero();
        Path truncated = tmp.resolve("truncated.safetensors");
        byte[] bytes = Files.readAllBytes(single);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Run t = vega("generate", "x", "-m", truncated.toString(), "-o", tmp.resolve("t.png").toString());
        assertThat(errorLine(t)).startsWith("vega: error: " + truncated).contains("truncated");

        Path unknown = tmp.resolve("unknown.safetensors");
        SafetensorsWriter.write(unknown, Map.of("transformer.blocks.0.weight", Tensor.zeros(2, 2)), Map.of());
        Run u = vega("generate", "x", "-m", unknown.toString(), "-o", tmp.resolve("u.png").toString());
        assertThat(errorLine(u)).contains("transformer.blocks.* (1)", "SD 1.5", "SDXL", "SSD-1B", "Segmind Vega");

        Run c = vega("convert", truncated.toString(), tmp.resolve("out").toString());
        assertThat(errorLine(c)).contains("truncated");
    }
}

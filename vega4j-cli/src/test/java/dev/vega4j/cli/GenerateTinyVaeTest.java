package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.conformance.Golden;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vega generate --vae ../shared/golden/tiny-taesd} on tiny-vega gives the golden {@code vae_tiny} pipeline
 * image, and {@code --preview} writes a preview without changing a byte of the final image.
 */
@Timeout(180)
class GenerateTinyVaeTest {
    private static final String CASE = "tiny-vega+tiny-taesd__euler_3steps";

    @TempDir
    Path tmp;

    final StringWriter log = new StringWriter();

    int generate(Path out, String... extra) throws Exception {
        JsonNode c = goldenCase();
        List<String> args = new ArrayList<>(List.of(c.get("prompt").asText(),
                "-n", c.get("negative_prompt").asText(),
                "-m", Golden.root().resolve(c.get("pipeline").asText()).toString(),
                "--seed", c.get("seed").asText(), "--steps", c.get("num_inference_steps").asText(),
                "--guidance", c.get("guidance_scale").asText(), "--width", c.get("width").asText(),
                "--height", c.get("height").asText(), "-o", out.toString()));
        return GenerateRun.execute(log, args, extra);
    }

    static JsonNode goldenCase() throws Exception {
        JsonNode m = new ObjectMapper().readTree(Golden.root().resolve("cases/vae_tiny/manifest.json").toFile());
        for (JsonNode c : m.get("cases")) {
            if (c.get("id").asText().equals(CASE)) {
                return c;
            }
        }
        throw new AssertionError("no case " + CASE);
    }

    @Test
    void tinyVaeGivesTheGoldenImageAndPreviewsChangeNoByte() throws Exception {
        String taesd = Golden.root().resolve("tiny-taesd").toString();
        Path plain = tmp.resolve("plain.png");
        assertThat(generate(plain, "--vae", taesd)).as(log.toString()).isZero();
        assertThat(log.toString()).contains("AutoencoderTiny");

        // the golden image is float in [0, 1]; ours is 8-bit: within half a level plus the pipelines tolerance
        Tensor ref;
        try (SafetensorsFile f = SafetensorsFile.open(Golden.root().resolve("cases/vae_tiny/" + CASE
                + ".safetensors"))) {
            ref = f.load("image");
        }
        BufferedImage img = ImageIO.read(plain.toFile());
        int h = ref.dim(1), w = ref.dim(2);
        assertThat(img.getWidth()).isEqualTo(w);
        assertThat(img.getHeight()).isEqualTo(h);
        double worst = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                for (int ch = 0; ch < 3; ch++) {
                    double ours = ((rgb >> (16 - 8 * ch)) & 0xff) / 255.0;
                    worst = Math.max(worst, Math.abs(ours - ref.data()[(y * w + x) * 3 + ch]));
                }
            }
        }
        assertThat(worst).isLessThanOrEqualTo(0.5 / 255 + 2e-3);

        Path withPreview = tmp.resolve("preview-run.png");
        Path preview = tmp.resolve("p.png");
        assertThat(generate(withPreview, "--vae", taesd, "--preview", preview.toString())).as(log.toString()).isZero();
        assertThat(Files.readAllBytes(withPreview)).isEqualTo(Files.readAllBytes(plain));
        BufferedImage p = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(preview)));
        assertThat(p).isNotNull();
        assertThat(Math.max(p.getWidth(), p.getHeight())).isBetween(1, 256);
    }

    @Test
    void linearPreviewsWithTheModelsOwnVaeChangeNoByte() throws Exception {
        Path plain = tmp.resolve("plain.png");
        assertThat(generate(plain)).as(log.toString()).isZero();
        Path withPreview = tmp.resolve("with.png");
        Path preview = tmp.resolve("sub/p.png");
        assertThat(generate(withPreview, "--preview", preview.toString(), "--preview-interval", "2"))
                .as(log.toString()).isZero();
        assertThat(Files.readAllBytes(withPreview)).isEqualTo(Files.readAllBytes(plain));
        // the linear map gives one pixel per latent cell
        assertThat(ImageIO.read(preview.toFile()).getWidth()).isEqualTo(goldenCase().get("width").asInt() / 4);
    }

    @Test
    void previewOptionsNeedPreviewAndAVaeFileIsAClearError() throws Exception {
        assertThat(generate(tmp.resolve("a.png"), "--preview-interval", "2")).isEqualTo(1);
        assertThat(log.toString()).contains("--preview-interval and --preview-vae need --preview")
                .doesNotContain("loading");
        assertThat(generate(tmp.resolve("b.png"), "--preview", tmp.resolve("p.png").toString(),
                "--preview-interval", "0")).isEqualTo(1);
        assertThat(log.toString()).contains("--preview-interval must be at least 1");
        // a single file that is no AutoencoderKL of the model's shape: one line naming what it holds
        Path file = Golden.root().resolve("tiny-taesd/diffusion_pytorch_model.safetensors");
        assertThat(generate(tmp.resolve("c.png"), "--vae", file.toString())).isEqualTo(1);
        assertThat(log.toString()).contains(file.getFileName().toString()).doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void aVaeOnlySingleFileTakesTheModelsVaeConfig() throws Exception {
        Path plain = tmp.resolve("plain.png");
        assertThat(generate(plain)).as(log.toString()).isZero();
        // the model's own VAE weights as a stand-alone file (diffusers names, no config beside it)
        Path vaeFile = tmp.resolve("own_vae.safetensors");
        Files.copy(Golden.root().resolve("tiny-vega/vae/diffusion_pytorch_model.safetensors"), vaeFile);
        Path swapped = tmp.resolve("swapped.png");
        assertThat(generate(swapped, "--vae", vaeFile.toString())).as(log.toString()).isZero();
        assertThat(Files.readAllBytes(swapped)).isEqualTo(Files.readAllBytes(plain));
    }
}

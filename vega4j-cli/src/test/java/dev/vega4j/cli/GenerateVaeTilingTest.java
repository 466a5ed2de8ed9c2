package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code vega generate --vae-tiling [--vae-tile-size PX]} on the tiny golden Vega (VAE: f = 4, sample_size 64). */
@Timeout(120)
class GenerateVaeTilingTest {
    @TempDir
    Path tmp;

    final StringWriter log = new StringWriter();

    int generate(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("a red fox", "-m", Golden.root().resolve("tiny-vega").toString(),
                "--seed", "5", "--steps", "1", "--width", "96", "--height", "96", "-o", out.toString()));
        return GenerateRun.execute(log, args, extra);
    }

    int[] pixels(String name, String... extra) throws Exception {
        Path out = tmp.resolve(name + ".png");
        assertThat(generate(out, extra)).as(log.toString()).isZero();
        return GeneratePromptWeightingTest.pixels(Files.readAllBytes(out));
    }

    @Test
    void tilesAsLargeAsTheImageChangeNothingAndSmallerOnesTile() throws Exception {
        int[] plain = pixels("plain");
        // 96 px = 24 latents: one tile, the plain decode
        assertThat(pixels("one-tile", "--vae-tiling", "--vae-tile-size", "96")).isEqualTo(plain);
        // 64 px tiles (the VAE's default here) blend seams: close to, but not, the plain image
        assertThat(pixels("tiled", "--vae-tiling", "--vae-tile-size", "64")).isNotEqualTo(plain);
        assertThat(pixels("tiled-default", "--vae-tiling")).isEqualTo(pixels("tiled-64", "--vae-tiling",
                "--vae-tile-size", "64"));
    }

    @Test
    void badTileSizesAreOneLineErrors() {
        assertThat(generate(tmp.resolve("a.png"), "--vae-tile-size", "512")).isEqualTo(1);
        assertThat(log.toString()).contains("--vae-tile-size needs --vae-tiling").doesNotContain("loading");
        assertThat(generate(tmp.resolve("b.png"), "--vae-tiling", "--vae-tile-size", "60")).isEqualTo(1);
        assertThat(log.toString()).contains("--vae-tile-size must be a multiple of 8 and at least 64, got 60");
        // 72 passes the early check; the loaded VAE (f = 4) wants multiples of 16
        assertThat(generate(tmp.resolve("c.png"), "--vae-tiling", "--vae-tile-size", "72")).isEqualTo(1);
        assertThat(log.toString()).contains("VAE tile size must be a multiple of 16");
    }
}

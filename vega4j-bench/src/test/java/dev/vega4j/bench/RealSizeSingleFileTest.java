package dev.vega4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.io.DType;
import dev.vega4j.io.Weights;
import dev.vega4j.io.checkpoint.CheckpointVariant;
import dev.vega4j.io.checkpoint.SingleFileCheckpoint;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real-size Segmind Vega single file (random fp16 weights, about 3.3 GB, written tensor by tensor and deleted after)
 * loads with nothing else on disk - family detected, bundled configs and tokenizer - and generates a 64x64 image in
 * one step.
 */
@Tag("realsize") // runs by default (about 30-60 s on 2 cores); -DexcludedGroups=realsize skips it
@Timeout(600)
class RealSizeSingleFileTest {
    @TempDir
    Path tmp;

    @Test
    void aRealSizeRandomVegaFileLoadsWithoutConfigsAndGenerates() throws Exception {
        Path file = tmp.resolve("segmind-vega-random.safetensors");
        try {
            long t0 = System.nanoTime();
            RandomCheckpoint.write(CheckpointVariant.VEGA, file, DType.F16, 7);
            System.out.printf("wrote %d MB in %.1f s%n", Files.size(file) >> 20, (System.nanoTime() - t0) / 1e9);
            try (SingleFileCheckpoint ckpt = SingleFileCheckpoint.open(file)) {
                assertThat(ckpt.variant()).isEqualTo(CheckpointVariant.VEGA);
                assertThat(ckpt.components()).containsExactly("unet", "vae", "text_encoder", "text_encoder_2");
                assertThat(ckpt.unmappedNames()).isEmpty();
                // Segmind's published UNet size: 247M down + 31M mid + 460M up (README of the golden realsize-configs)
                assertThat(parameters(ckpt.component("unet"))).isBetween(745_100_000L, 745_300_000L);
            }
            long t1 = System.nanoTime();
            try (Pipeline p = Pipelines.load(file.toString())) {
                System.out.printf("loaded in %.1f s%n", (System.nanoTime() - t1) / 1e9);
                assertThat(p.info().name()).isEqualTo("segmind-vega-random");
                assertThat(p.info().family()).isEqualTo(Pipeline.Family.SDXL);
                assertThat(p.info().defaultWidth()).isEqualTo(1024);
                GenerationResult r = p.generate(GenerationRequest.builder("a lighthouse at dusk").steps(1).width(64)
                        .height(64).seed(3).build());
                System.out.printf("loaded and generated in %.1f s%n", (System.nanoTime() - t1) / 1e9);
                BufferedImage img = r.images().getFirst();
                assertThat(List.of(img.getWidth(), img.getHeight())).containsExactly(64, 64);
                int[] px = img.getRGB(0, 0, 64, 64, null, 0, 64);
                assertThat(Arrays.stream(px).distinct().count()).as("distinct colours").isGreaterThan(1);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long parameters(Weights w) {
        long n = 0;
        for (String name : w.names()) {
            n += Tensor.numel(w.shape(name));
        }
        return n;
    }
}

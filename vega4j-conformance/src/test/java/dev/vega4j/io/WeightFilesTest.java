package dev.vega4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.conformance.Golden;
import dev.vega4j.io.WeightFiles.Found;
import dev.vega4j.io.WeightFiles.Library;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightFilesTest {
    private static final String UNET = "UNet2DConditionModel";

    @Test
    void plainFileIsFound(@TempDir Path dir) {
        write(dir, "diffusion_pytorch_model.safetensors");
        assertThat(WeightFiles.resolve(dir, Library.DIFFUSERS, null, UNET))
                .isEqualTo(new Found(dir.resolve("diffusion_pytorch_model.safetensors"), null, false));
    }

    @Test
    void shardIndexIsFound(@TempDir Path dir) throws IOException {
        write(dir, "model-00001-of-00002.safetensors");
        write(dir, "model-00002-of-00002.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {}}");
        assertThat(WeightFiles.resolve(dir, Library.TRANSFORMERS, null, "CLIPTextModel").file())
                .isEqualTo(dir.resolve("model.safetensors.index.json"));
        // shards of a variant are not mistaken for a variant named "fp16-00001-of-00002"
        write(dir, "model.fp16-00001-of-00002.safetensors");
        assertThat(WeightFiles.variantsPresent(dir)).isEmpty();
    }

    @Test
    void theOnlyVariantIsUsedAndSaidOnTheLog(@TempDir Path dir) {
        write(dir, "diffusion_pytorch_model.fp16.safetensors");
        assertThat(WeightFiles.resolve(dir, Library.DIFFUSERS, null, UNET))
                .isEqualTo(new Found(dir.resolve("diffusion_pytorch_model.fp16.safetensors"), "fp16", true));

        List<String> logged = new ArrayList<>();
        Logger jul = Logger.getLogger(WeightFiles.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(h);
        try {
            assertThat(WeightFiles.resolveModel(dir, Library.DIFFUSERS, UNET))
                    .isEqualTo(dir.resolve("diffusion_pytorch_model.fp16.safetensors"));
        } finally {
            jul.removeHandler(h);
        }
        assertThat(logged).singleElement().asString().contains(dir.toString()).contains("\"fp16\"")
                .contains("diffusion_pytorch_model.fp16.safetensors");
    }

    @Test
    void plainFilesWinOverVariantsUnlessAVariantIsAsked(@TempDir Path dir) {
        write(dir, "diffusion_pytorch_model.safetensors");
        write(dir, "diffusion_pytorch_model.fp16.safetensors");
        assertThat(WeightFiles.resolve(dir, Library.DIFFUSERS, null, UNET))
                .isEqualTo(new Found(dir.resolve("diffusion_pytorch_model.safetensors"), null, false));
        assertThat(WeightFiles.resolve(dir, Library.DIFFUSERS, "fp16", UNET))
                .isEqualTo(new Found(dir.resolve("diffusion_pytorch_model.fp16.safetensors"), "fp16", false));
        // a requested variant the folder lacks falls back to the plain file
        assertThat(WeightFiles.resolve(dir, Library.DIFFUSERS, "bf16", UNET).file())
                .isEqualTo(dir.resolve("diffusion_pytorch_model.safetensors"));
    }

    @Test
    void severalVariantsAndNoPlainFileIsAnErrorNotAGuess(@TempDir Path dir) {
        write(dir, "diffusion_pytorch_model.fp16.safetensors");
        write(dir, "diffusion_pytorch_model.bf16.safetensors");
        assertThatThrownBy(() -> WeightFiles.resolve(dir, Library.DIFFUSERS, null, UNET))
                .isInstanceOf(WeightFilesException.class)
                .hasMessageStartingWith(UNET + ": no weights file " + dir.resolve("diffusion_pytorch_model.safetensors"))
                .hasMessageContaining("diffusion_pytorch_model.bf16.safetensors, diffusion_pytorch_model.fp16.safetensors")
                .hasMessageContaining("several variants, open it with one of variant \"bf16\", variant \"fp16\"");
        // asked for one that is not there: both are named
        assertThatThrownBy(() -> WeightFiles.resolve(dir, Library.DIFFUSERS, "ema", UNET))
                .hasMessageContaining("diffusion_pytorch_model.ema.safetensors")
                .hasMessageContaining("variant \"bf16\", variant \"fp16\"");
    }

    @Test
    void modelLoadersUseTheSameLookup(@TempDir Path dir) throws IOException {
        Path src = Golden.root().resolve("tiny-vega/vae");
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("diffusion_pytorch_model.safetensors"),
                dir.resolve("diffusion_pytorch_model.fp16.safetensors"));
        assertThat(AutoencoderKL.load(dir).config()).isNotNull();
        Files.copy(src.resolve("diffusion_pytorch_model.safetensors"),
                dir.resolve("diffusion_pytorch_model.bf16.safetensors"));
        assertThatThrownBy(() -> AutoencoderKL.load(dir)).isInstanceOf(WeightFilesException.class)
                .hasMessageStartingWith("AutoencoderKL: no weights file");
    }

    @Test
    void noWeightsNamesTheFolderAndItsFiles(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> WeightFiles.resolve(dir, Library.DIFFUSERS, null, UNET))
                .isInstanceOf(WeightFilesException.class).hasMessageContaining("The folder " + dir + " is empty")
                .satisfies(e -> assertThat(((WeightFilesException) e).noWeights()).isTrue());
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("README.md"), "");
        assertThatThrownBy(() -> WeightFiles.resolve(dir, Library.DIFFUSERS, null, UNET))
                .hasMessageContaining("The folder " + dir + " has only README.md, config.json")
                .hasMessageContaining("download the weights");
        Files.writeString(dir.resolve("diffusion_pytorch_model.bin"), "pickle");
        assertThatThrownBy(() -> WeightFiles.resolve(dir, Library.DIFFUSERS, null, UNET))
                .hasMessageContaining("pickle weights are present (diffusion_pytorch_model.bin)")
                .hasMessageContaining("safetensors only")
                .satisfies(e -> assertThat(((WeightFilesException) e).noWeights()).isFalse());
    }

    @Test
    void variantNamesFollowDiffusersAddVariant() {
        assertThat(WeightFiles.addVariant("diffusion_pytorch_model.safetensors", "fp16"))
                .isEqualTo("diffusion_pytorch_model.fp16.safetensors");
        assertThat(WeightFiles.addVariant("model.safetensors.index.json", "fp16"))
                .isEqualTo("model.safetensors.index.fp16.json");
        assertThat(WeightFiles.variantOf("model.safetensors.index.fp16.json")).isEqualTo("fp16");
        assertThat(WeightFiles.variantOf("diffusion_pytorch_model.non_ema.safetensors")).isEqualTo("non_ema");
        assertThat(WeightFiles.variantOf("diffusion_pytorch_model.safetensors")).isNull();
        assertThat(WeightFiles.variantOf("model-00001-of-00002.safetensors")).isNull();
    }

    private static void write(Path dir, String name) {
        SafetensorsWriter.write(dir.resolve(name), Map.of("w", Tensor.of(new float[] {1f}, 1)), Map.of());
    }
}

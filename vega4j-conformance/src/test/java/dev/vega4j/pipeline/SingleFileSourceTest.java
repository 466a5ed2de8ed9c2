package dev.vega4j.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.conformance.Golden;
import dev.vega4j.io.DType;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.io.checkpoint.CheckpointVariant;
import dev.vega4j.io.checkpoint.PipelineConfigs;
import dev.vega4j.io.checkpoint.SingleFileWriter;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tokenizer.ClipTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a single file needs besides its weights: the bundled tokenizers, and stand-alone VAE files. */
class SingleFileSourceTest {
    @TempDir
    static Path tmp;

    static final List<String> PROMPTS = List.of("a photo of an astronaut riding a horse on mars",
            "Hello, World!! (masterpiece:1.2), best quality; 4k  ", "", "café naïve — 東京 🚀 <|endoftext|> don't",
            "a" + " very".repeat(100) + " long prompt");

    /** The bundled vocabulary with each family's bundled tokenizer configs gives the Hub tokenizers' ids. */
    @ParameterizedTest
    @EnumSource(CheckpointVariant.class)
    void bundledTokenizersGiveTheIdsOfTheHubTokenizers(CheckpointVariant family) {
        PipelineConfigs cfg = PipelineConfigs.bundled(family);
        for (String name : family.xl() ? List.of("tokenizer", "tokenizer_2") : List.of("tokenizer")) {
            ClipTokenizer bundled = ClipTokenizer.of("bundled", PipelineConfigs.bundledTokenizerFile("vocab.json"),
                    PipelineConfigs.bundledTokenizerFile("merges.txt"), cfg.json(name + "/tokenizer_config.json"),
                    cfg.json(name + "/special_tokens_map.json"));
            ClipTokenizer hub = ClipTokenizer.load(Golden.root().resolve("tokenizer").resolve(name));
            assertThat(bundled.padTokenId()).as(name).isEqualTo(hub.padTokenId())
                    .isEqualTo(name.equals("tokenizer_2") ? 0 : 49407); // "!" pads tokenizer_2
            for (String p : PROMPTS) {
                assertThat(bundled.encodePadded(p)).as(name + ": " + p).isEqualTo(hub.encodePadded(p));
            }
        }
    }

    /**
     * A VAE-only file decodes like the folder's VAE whether it has LDM names with the checkpoint prefix, LDM names
     * without it ({@code sdxl_vae.safetensors}) or diffusers names.
     */
    @Test
    void vaeOnlyFilesInEveryLayoutDecodeLikeTheFolder() {
        Path dir = Golden.root().resolve("tiny-vega");
        VaeConfig config = VaeConfig.load(dir.resolve("vae/config.json"));
        AutoencoderKL folderVae = AutoencoderKL.load(dir.resolve("vae"));
        Tensor z = random(new int[] {1, config.latentChannels(), 4, 4});
        float[] expected = folderVae.decode(z).data();

        Path single = tmp.resolve("tiny-vega.safetensors");
        SingleFileWriter.convertFolder(dir, single, DType.F32);
        Map<String, Tensor> prefixed = new LinkedHashMap<>(), bare = new LinkedHashMap<>();
        try (SafetensorsWeights w = SafetensorsWeights.open(single)) {
            for (String n : w.allNames()) {
                if (n.startsWith("first_stage_model.")) {
                    prefixed.put(n, w.get(n));
                    bare.put(n.substring("first_stage_model.".length()), w.get(n));
                }
            }
        }
        Path withPrefix = tmp.resolve("ldm-prefixed.vae.safetensors"), withoutPrefix = tmp.resolve("sdxl_vae.safetensors");
        SafetensorsWriter.write(withPrefix, prefixed, Map.of());
        SafetensorsWriter.write(withoutPrefix, bare, Map.of());
        for (Path file : List.of(withPrefix, withoutPrefix, dir.resolve("vae/diffusion_pytorch_model.safetensors"))) {
            assertThat(AutoencoderKL.fromSingleFile(file, config).decode(z).data()).as(file.toString())
                    .isEqualTo(expected);
        }
        Path notAVae = tmp.resolve("not-a-vae.safetensors");
        SafetensorsWriter.write(notAVae, Map.of("lora_unet_x.lora_down.weight", Tensor.zeros(2, 2)), Map.of());
        assertThatThrownBy(() -> AutoencoderKL.fromSingleFile(notAVae, config)).isInstanceOf(VegaException.class)
                .hasMessageContaining("not a VAE file").hasMessageContaining("found lora_unet_x.lora_down.* (1)");
        // a VAE-only file given as a model says what it is
        assertThatThrownBy(() -> SingleFileSource.open(withoutPrefix, null)).isInstanceOf(VegaException.class)
                .hasMessageContaining("holds only a VAE");
    }

    @Test
    void configsOfAnotherFamilyAreRefused() {
        Path single = tmp.resolve("tiny-sd15.safetensors");
        SingleFileWriter.convertFolder(Golden.root().resolve("tiny-sd15"), single, DType.F32);
        assertThatThrownBy(() -> SingleFileSource.open(single, Golden.root().resolve("tiny-vega")))
                .isInstanceOf(VegaException.class).hasMessageContaining("SD 1.5 checkpoint")
                .hasMessageContaining("SDXL");
    }

    private static Tensor random(int[] shape) {
        SplittableRandom r = new SplittableRandom(5);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return t;
    }
}

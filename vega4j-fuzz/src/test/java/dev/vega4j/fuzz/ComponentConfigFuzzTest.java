package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.io.checkpoint.UNetLayout;
import dev.vega4j.models.unet.UNetBlockSpecs;
import java.io.IOException;
import java.util.Arrays;

/**
 * The {@code config.json} of every component class: UNet, VAE, CLIP text encoder (both). The first byte picks the
 * class, the rest is the file. Reading may only throw a {@link VegaException}; a config that reads is checked far
 * enough that the UNet's block layout (what the loader and the LoRA mapping derive from it) (block specs, the single-file layout) can be resolved too.
 */
class ComponentConfigFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/json.dict")
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/config.dict")
    void read(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int which = Math.floorMod(input[0], 3);
        byte[] file = Arrays.copyOfRange(input, 1, input.length);
        Contract.check(VegaException.class, 16 * Contract.MB, () -> {
            JsonNode n;
            try {
                n = JSON.readTree(file);
            } catch (IOException e) {
                return; // not JSON: the loaders' own check, not what this target is about
            }
            switch (which) {
                case 0 -> {
                    UNetConfig c = UNetConfig.fromJson(n, "unet/config.json");
                    for (int i = 0; i < c.levels(); i++) {
                        UNetBlockSpecs.down(c, i);
                        UNetBlockSpecs.up(c, i);
                    }
                    UNetLayout.fromConfig(n);
                }
                case 1 -> VaeConfig.fromJson(n, "vae/config.json");
                default -> ClipTextConfig.fromJson(n, "text_encoder/config.json");
            }
        });
    }
}

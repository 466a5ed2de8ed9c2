package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vega4j.VegaException;
import dev.vega4j.io.MapWeights;
import dev.vega4j.io.checkpoint.SingleFileCheckpoint;
import dev.vega4j.tensor.Tensor;
import java.util.Map;

/**
 * Single-file checkpoints (A1111/ComfyUI {@code model.diffusion_model.*}, {@code conditioner.embedders.*},
 * {@code first_stage_model.*} ...): family detection (SD 1.x, SD 2.x, SDXL, Vega, SSD-1B), the bundled configs'
 * width check and the mapping of every component's names, from tensor names and shapes ({@link NamedTensors}' format).
 * Only a {@link VegaException} may escape.
 */
class CheckpointFamilyFuzzTest {
    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/checkpoint.dict")
    void detectAndMap(byte[] input) {
        Map<String, Tensor> tensors = NamedTensors.parse(Inputs.text(input));
        Contract.check(VegaException.class, 64 * Contract.MB, () -> {
            SingleFileCheckpoint c = SingleFileCheckpoint.of(new MapWeights(tensors, "fuzz.safetensors"), null);
            for (String component : c.components()) {
                c.component(component).allNames();
            }
            c.unmappedNames();
        });
    }
}

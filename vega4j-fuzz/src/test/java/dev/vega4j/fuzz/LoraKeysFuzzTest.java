package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vega4j.lora.LoraAdapter;
import dev.vega4j.lora.LoraException;
import dev.vega4j.lora.LoraTargets;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * LoRA key names (kohya {@code lora_unet_*}/{@code lora_te1_*}, also on SGM block names, diffusers, PEFT
 * {@code lora_A/lora_B}, LyCORIS) with shapes ({@link NamedTensors}' format): reading the adapter and mapping it onto
 * the golden tiny SDXL's layers may only throw a {@link LoraException}, and every module it maps names a layer of the
 * model whose shape it fits.
 */
class LoraKeysFuzzTest {
    private static LoraTargets targets;

    private static synchronized LoraTargets targets() {
        if (targets == null) {
            Pipeline p = Pipelines.load(Inputs.tinySdxl().toString());
            targets = LoraTargets.of(p);
        }
        return targets;
    }

    @BeforeAll
    static void setUp() throws Exception {
        targets();
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/lora.dict")
    void mapKeys(byte[] input) {
        LoraTargets t = targets();
        Map<String, Tensor> tensors = NamedTensors.parse(Inputs.text(input));
        Contract.check(LoraException.class, 64 * Contract.MB, () -> {
            LoraAdapter a = LoraAdapter.fromTensors("fuzz.safetensors", tensors);
            for (LoraTargets.Resolved r : t.resolve(a)) {
                if (r.layer() == null || !t.layers(r.component()).containsKey(r.path())) {
                    throw new AssertionError("mapped " + r.module() + " onto no layer of the model: " + r.path());
                }
            }
        });
    }
}

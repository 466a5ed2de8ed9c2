package dev.vega4j.models.clip;

import dev.vega4j.VegaException;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/**
 * The {@code hidden_act} values CLIP checkpoints use, as transformers' {@code ACT2FN} maps them (activations.py):
 * OpenAI CLIP uses {@code quick_gelu}, OpenCLIP (SDXL's bigG) exact {@code gelu}.
 */
enum ClipActivation {
    QUICK_GELU, GELU, GELU_TANH;

    static ClipActivation of(String hiddenAct) {
        return switch (hiddenAct) {
            case "quick_gelu" -> QUICK_GELU;
            case "gelu" -> GELU;
            // "gelu_new" is the same tanh formula as "gelu_pytorch_tanh"
            case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
            default -> throw new VegaException("CLIP text config: hidden_act '" + hiddenAct
                    + "' is not supported (quick_gelu, gelu, gelu_new, gelu_pytorch_tanh)");
        };
    }

    Tensor apply(Tensor x) {
        return switch (this) {
            case QUICK_GELU -> Ops.get().quickGelu(x);
            case GELU -> Ops.get().gelu(x);
            case GELU_TANH -> Ops.get().geluTanh(x);
        };
    }
}

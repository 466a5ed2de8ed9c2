package dev.vega4j.pipeline;

import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tokenizer.ClipTokenizer;

/** Builds a pipeline folder's {@code encode_prompt} from its tokenizer(s) and text encoder(s). */
public final class PromptEncoders {
    private PromptEncoders() {}

    public static PromptEncoder load(ModelIndex index) {
        ClipTokenizer tok = ClipTokenizer.load(index.component("tokenizer"));
        ClipTextEncoder enc = ClipTextEncoder.fromPretrained(index.component("text_encoder"));
        if (index.family() == Pipeline.Family.SDXL) {
            ClipTokenizer tok2 = ClipTokenizer.load(index.component("tokenizer_2"));
            ClipTextEncoder enc2 = ClipTextEncoder.fromPretrained(index.component("text_encoder_2"));
            return new SdxlPromptEncoder(tok::encodePadded, enc, tok2::encodePadded, enc2,
                    index.forceZerosForEmptyPrompt());
        }
        // clip skip applies text_model.final_layer_norm to an earlier hidden state: keep its two small vectors.
        Tensor lnW, lnB;
        try (SafetensorsWeights w = SafetensorsWeights.open(ClipTextEncoder.weightsFile(index.component("text_encoder")))) {
            int hs = enc.config().hiddenSize();
            lnW = w.get("text_model.final_layer_norm.weight", hs).copy();
            lnB = w.get("text_model.final_layer_norm.bias", hs).copy();
        }
        return new Sd15PromptEncoder(tok::encodePadded, enc, lnW, lnB);
    }
}

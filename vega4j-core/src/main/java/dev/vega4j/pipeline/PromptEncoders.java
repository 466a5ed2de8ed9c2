package dev.vega4j.pipeline;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tokenizer.ClipTokenizer;

/** Builds a pipeline folder's {@code encode_prompt} from its tokenizer(s) and text encoder(s). */
public final class PromptEncoders {
    private PromptEncoders() {}

    public static PromptEncoder load(PipelineFolder folder) {
        ModelIndex index = ModelIndex.of(folder);
        ClipTokenizer tok = folder.tokenizer("tokenizer");
        if (index.family() == Pipeline.Family.SDXL) {
            ClipTextEncoder enc = encoder(folder, "text_encoder", null);
            ClipTokenizer tok2 = folder.tokenizer("tokenizer_2");
            ClipTextEncoder enc2 = encoder(folder, "text_encoder_2", null);
            return new SdxlPromptEncoder(tok::encodePadded, enc, tok2::encodePadded, enc2,
                    index.forceZerosForEmptyPrompt());
        }
        // clip skip applies text_model.final_layer_norm to an earlier hidden state: keep its two small vectors.
        Tensor[] finalLn = new Tensor[2];
        ClipTextEncoder enc = encoder(folder, "text_encoder", finalLn);
        return new Sd15PromptEncoder(tok::encodePadded, enc, finalLn[0], finalLn[1]);
    }

    /** Loads a text encoder component; {@code finalLn} (if given) receives final_layer_norm's weight and bias. */
    private static ClipTextEncoder encoder(PipelineFolder folder, String name, Tensor[] finalLn) {
        ClipTextConfig config = folder.textEncoderConfig(name);
        try (SafetensorsWeights w = folder.openWeights(name)) {
            ClipTextEncoder enc = ClipTextEncoder.create(config, w);
            if (finalLn != null) {
                int hs = config.hiddenSize();
                finalLn[0] = w.get("text_model.final_layer_norm.weight", hs);
                finalLn[1] = w.get("text_model.final_layer_norm.bias", hs);
            }
            return enc;
        }
    }
}

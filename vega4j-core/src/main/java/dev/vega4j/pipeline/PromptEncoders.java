package dev.vega4j.pipeline;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.io.Weights;
import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tokenizer.ClipTokenizer;

/** Builds a pipeline folder's {@code encode_prompt} from its tokenizer(s) and text encoder(s). */
public final class PromptEncoders {
    private PromptEncoders() {}

    public static PromptEncoder load(PipelineFolder folder) {
        try (FolderSource source = new FolderSource(folder)) {
            return load(source);
        }
    }

    /** From a folder or a single-file checkpoint ({@link PipelineSource}). */
    public static PromptEncoder load(PipelineSource source) {
        ClipTokenizer tok = source.tokenizer("tokenizer");
        if (source.family() == Pipeline.Family.SDXL) {
            ClipTextEncoder enc = encoder(source, PipelineSource.TEXT_ENCODER, null);
            ClipTokenizer tok2 = source.tokenizer("tokenizer_2");
            ClipTextEncoder enc2 = encoder(source, PipelineSource.TEXT_ENCODER_2, null);
            return new SdxlPromptEncoder(tok::encodePadded, enc, tok2::encodePadded, enc2,
                    source.forceZerosForEmptyPrompt());
        }
        // clip skip applies text_model.final_layer_norm to an earlier hidden state: keep its two small vectors.
        Tensor[] finalLn = new Tensor[2];
        ClipTextEncoder enc = encoder(source, PipelineSource.TEXT_ENCODER, finalLn);
        return new Sd15PromptEncoder(tok::encodePadded, enc, finalLn[0], finalLn[1]);
    }

    /** Loads a text encoder component; {@code finalLn} (if given) receives final_layer_norm's weight and bias. */
    private static ClipTextEncoder encoder(PipelineSource source, String name, Tensor[] finalLn) {
        ClipTextConfig config = ClipTextConfig.fromJson(source.config(name), source.configSource(name));
        Weights w = source.weights(name);
        ClipTextEncoder enc = ClipTextEncoder.create(config, w);
        if (finalLn != null) {
            int hs = config.hiddenSize();
            finalLn[0] = w.get("text_model.final_layer_norm.weight", hs);
            finalLn[1] = w.get("text_model.final_layer_norm.bias", hs);
        }
        return enc;
    }
}

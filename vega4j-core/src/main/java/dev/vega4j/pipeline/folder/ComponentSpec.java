package dev.vega4j.pipeline.folder;

import java.util.Locale;

/**
 * One entry of {@code model_index.json}: {@code "unet": ["diffusers", "UNet2DConditionModel"]} is the component
 * {@code unet}, loaded by library {@code diffusers} as class {@code UNet2DConditionModel} from subfolder {@code unet/}.
 */
public record ComponentSpec(String name, String library, String className, Kind kind) {

    /** What a component is, which decides which files its subfolder must hold. */
    public enum Kind {
        /** A network with weights and {@code config.json} (UNet, VAE, text encoders, ...). */
        MODEL,
        /** A scheduler: {@code scheduler_config.json} only. */
        SCHEDULER,
        /** A tokenizer: {@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json}, ... */
        TOKENIZER,
        /** An image processor / feature extractor ({@code preprocessor_config.json}); vega4j does not use these. */
        PROCESSOR
    }

    static ComponentSpec of(String name, String library, String className) {
        return new ComponentSpec(name, library, className, kindOf(className));
    }

    static Kind kindOf(String className) {
        String c = className.toLowerCase(Locale.ROOT);
        if (c.endsWith("scheduler")) {
            return Kind.SCHEDULER;
        }
        if (c.contains("tokenizer")) {
            return Kind.TOKENIZER;
        }
        if (c.endsWith("imageprocessor") || c.endsWith("featureextractor") || c.endsWith("processor")) {
            return Kind.PROCESSOR;
        }
        return Kind.MODEL;
    }

    /** The file in the subfolder that holds this component's configuration. */
    public String configFileName() {
        return switch (kind) {
            case MODEL -> "config.json";
            case SCHEDULER -> "scheduler_config.json";
            case TOKENIZER -> "tokenizer_config.json";
            case PROCESSOR -> "preprocessor_config.json";
        };
    }

    /** True for transformers models ({@code model.safetensors}), false for diffusers ones. */
    public boolean isTransformers() {
        return "transformers".equals(library);
    }
}

package dev.vega4j.io.checkpoint;

import java.util.List;

/**
 * OpenAI CLIP text encoder in a single file: transformers' own names under the component prefix. Very old SD 1.x files
 * lack the {@code text_model.} level (transformers before 4.x); the {@code position_ids} buffer is dropped as diffusers'
 * {@code convert_ldm_clip_checkpoint} does (it is always {@code arange}).
 */
final class ClipMapping implements NameMapping {
    private static final String TEXT_MODEL = "text_model.";
    private final boolean textModelLevel;

    ClipMapping(boolean textModelLevel) {
        this.textModelLevel = textModelLevel;
    }

    @Override
    public List<Mapped> toDiffusers(String name) {
        String d = textModelLevel ? name : TEXT_MODEL + name;
        if (!d.startsWith(TEXT_MODEL) || d.endsWith("embeddings.position_ids")) {
            return List.of();
        }
        return List.of(Mapped.same(d));
    }

    @Override
    public Mapped toSingleFile(String name) {
        if (!name.startsWith(TEXT_MODEL)) {
            return null;
        }
        return Mapped.same(textModelLevel ? name : name.substring(TEXT_MODEL.length()));
    }
}

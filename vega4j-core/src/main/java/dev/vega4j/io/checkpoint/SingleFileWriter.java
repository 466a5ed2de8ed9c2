package dev.vega4j.io.checkpoint;

import dev.vega4j.VegaException;
import dev.vega4j.io.DType;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.io.WeightFiles;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inverse mapping: diffusers components → one single-file (SGM/LDM) checkpoint, the layout A1111 and ComfyUI load.
 * Every tensor lands somewhere or the conversion fails, so nothing is silently dropped. Files are written tensor by
 * tensor ({@link SafetensorsWriter.Entry}), so a real-size model is converted without holding it on the heap.
 */
public final class SingleFileWriter {
    private SingleFileWriter() {}

    /**
     * The single-file tensors of the given diffusers components ({@code unet}, {@code vae}, {@code text_encoder},
     * [{@code text_encoder_2}] → weights under diffusers names), in the order they are written; each is read when
     * written. The SDXL layout is used when {@code text_encoder_2} is present.
     */
    public static List<SafetensorsWriter.Entry> plan(PipelineConfigs configs, Map<String, Weights> components) {
        boolean xl = components.containsKey(Components.TEXT_ENCODER_2);
        Map<String, SafetensorsWriter.Entry> out = new LinkedHashMap<>();
        for (Map.Entry<String, Weights> e : components.entrySet()) {
            String c = e.getKey();
            Components.requireKnown(c, xl);
            String prefix = Components.prefix(c, xl);
            NameMapping mapping = Components.mapping(c, configs, true);
            Weights w = e.getValue();
            Map<String, String[]> fused = new LinkedHashMap<>();
            for (String name : w.names()) {
                Mapped m = mapping.toSingleFile(name);
                if (m == null) {
                    throw new VegaException(w.source() + ": " + c + " weight '" + name
                            + "' has no place in the single-file layout");
                }
                String target = prefix + m.name();
                int part = m.transform().qkvPart();
                if (part >= 0) {
                    fused.computeIfAbsent(target, k -> new String[3])[part] = name;
                    out.putIfAbsent(target, null); // keep the file order close to the original
                } else if (out.put(target, new SafetensorsWriter.Entry(target,
                        m.transform().singleFileShape(w.shape(name)),
                        () -> m.transform().toSingleFile(w.get(name), name))) != null) {
                    throw new VegaException(c + ": two weights map to '" + target + "'");
                }
            }
            for (Map.Entry<String, String[]> f : fused.entrySet()) {
                String[] parts = f.getValue();
                for (String p : parts) {
                    if (p == null) {
                        throw new VegaException(c + ": '" + f.getKey() + "' needs q, k and v projections; one is missing");
                    }
                }
                int[] shape = w.shape(parts[0]).clone();
                shape[0] *= 3;
                out.put(f.getKey(), new SafetensorsWriter.Entry(f.getKey(), shape, () -> Transform.fuseQkv(
                        List.of(w.get(parts[0]), w.get(parts[1]), w.get(parts[2])))));
            }
        }
        return List.copyOf(out.values());
    }

    /** {@link #plan} read into memory (small models, tests). */
    public static Map<String, Tensor> toSingleFile(PipelineConfigs configs, Map<String, Weights> components) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (SafetensorsWriter.Entry e : plan(configs, components)) {
            out.put(e.name(), e.values().get());
        }
        return out;
    }

    public static void write(Path file, PipelineConfigs configs, Map<String, Weights> components, DType dtype) {
        SafetensorsWriter.write(file, plan(configs, components), Map.of("format", "pt"), dtype);
    }

    /**
     * Converts a diffusers pipeline folder (safetensors weights; a component's only variant where it has no plain
     * files) into one single-file checkpoint.
     */
    public static void convertFolder(Path diffusersDir, Path file, DType dtype) {
        PipelineConfigs configs = PipelineConfigs.fromFolder(diffusersDir);
        Map<String, Weights> components = new LinkedHashMap<>();
        List<SafetensorsWeights> open = new ArrayList<>();
        try {
            for (String c : Components.of(true)) {
                Path dir = diffusersDir.resolve(c);
                if (!Files.isDirectory(dir)) {
                    if (!c.equals(Components.TEXT_ENCODER_2)) {
                        throw new VegaException(diffusersDir + ": no " + c + "/ (a single file holds the UNet, the VAE"
                                + " and the text encoders)");
                    }
                    continue;
                }
                Path p = WeightFiles.resolveModel(dir, c.startsWith("text_encoder") ? WeightFiles.Library.TRANSFORMERS
                        : WeightFiles.Library.DIFFUSERS, "component '" + c + "'");
                SafetensorsWeights w = SafetensorsWeights.open(p);
                open.add(w);
                components.put(c, w);
            }
            write(file, configs, components, dtype);
        } finally {
            open.forEach(SafetensorsWeights::close);
        }
    }

    /**
     * Writes a single-file checkpoint as a diffusers pipeline folder: its configs ({@link SingleFileCheckpoint#configs}),
     * each component's weights under diffusers names, and the tokenizer files ({@code vocab.json}, {@code merges.txt})
     * from {@code tokenizerDir} (a folder with {@code tokenizer/} [and {@code tokenizer_2/}]) or, when null, the
     * bundled CLIP vocabulary.
     */
    public static void toDiffusersFolder(SingleFileCheckpoint ckpt, Path outDir, DType dtype, Path tokenizerDir) {
        List<String> needed = Components.of(ckpt.variant().xl());
        if (!ckpt.components().containsAll(needed)) {
            throw new VegaException(ckpt.singleFileWeights().source() + " holds " + ckpt.components() + ", a diffusers"
                    + " pipeline folder needs " + needed);
        }
        PipelineConfigs configs = ckpt.configs();
        configs.writeTo(outDir);
        for (String c : needed) {
            Weights w = ckpt.component(c);
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            for (String name : w.names()) {
                entries.add(new SafetensorsWriter.Entry(name, w.shape(name), () -> w.get(name)));
            }
            String fn = c.startsWith("text_encoder") ? WeightFiles.TRANSFORMERS : WeightFiles.DIFFUSERS;
            SafetensorsWriter.write(outDir.resolve(c).resolve(fn), entries, Map.of("format", "pt"), dtype);
        }
        for (String tok : ckpt.variant().xl() ? List.of("tokenizer", "tokenizer_2") : List.of("tokenizer")) {
            for (String f : PipelineConfigs.TOKENIZER_FILES) {
                Path target = outDir.resolve(tok).resolve(f);
                try {
                    Files.createDirectories(target.getParent());
                    Path src = tokenizerDir == null ? null : tokenizerDir.resolve(tok).resolve(f);
                    if (src != null && Files.isRegularFile(src)) {
                        Files.copy(src, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    } else {
                        Files.writeString(target, PipelineConfigs.bundledTokenizerFile(f));
                    }
                } catch (java.io.IOException e) {
                    throw new VegaException(target + ": cannot write: " + e.getMessage(), e);
                }
            }
        }
    }
}

package dev.vega4j.io.checkpoint;

import dev.vega4j.VegaException;
import dev.vega4j.io.DType;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.SafetensorsWriter;
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
 * Every tensor lands somewhere or the conversion fails, so nothing is silently dropped.
 */
public final class SingleFileWriter {
    private SingleFileWriter() {}

    /**
     * Single-file tensors of the given diffusers components ({@code unet}, {@code vae}, {@code text_encoder},
     * [{@code text_encoder_2}] → weights under diffusers names). The SDXL layout is used when {@code text_encoder_2}
     * is present.
     */
    public static Map<String, Tensor> toSingleFile(PipelineConfigs configs, Map<String, Weights> components) {
        boolean xl = components.containsKey(Components.TEXT_ENCODER_2);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Weights> e : components.entrySet()) {
            String c = e.getKey();
            Components.requireKnown(c, xl);
            String prefix = Components.prefix(c, xl);
            NameMapping mapping = Components.mapping(c, configs, true);
            Weights w = e.getValue();
            Map<String, Tensor[]> fused = new LinkedHashMap<>();
            for (String name : w.names()) {
                Mapped m = mapping.toSingleFile(name);
                if (m == null) {
                    throw new VegaException(w.source() + ": " + c + " weight '" + name
                            + "' has no place in the single-file layout");
                }
                String target = prefix + m.name();
                Tensor t = w.get(name);
                int part = m.transform().qkvPart();
                if (part >= 0) {
                    fused.computeIfAbsent(target, k -> new Tensor[3])[part] = t;
                    out.putIfAbsent(target, null); // keep the file order close to the original
                } else if (out.put(target, m.transform().toSingleFile(t, name)) != null) {
                    throw new VegaException(c + ": two weights map to '" + target + "'");
                }
            }
            for (Map.Entry<String, Tensor[]> f : fused.entrySet()) {
                List<Tensor> parts = new ArrayList<>(List.of());
                for (Tensor p : f.getValue()) {
                    if (p == null) {
                        throw new VegaException(c + ": '" + f.getKey() + "' needs q, k and v projections; one is missing");
                    }
                    parts.add(p);
                }
                out.put(f.getKey(), Transform.fuseQkv(parts));
            }
        }
        return out;
    }

    public static void write(Path file, PipelineConfigs configs, Map<String, Weights> components, DType dtype) {
        SafetensorsWriter.write(file, toSingleFile(configs, components), Map.of("format", "pt"), dtype);
    }

    /** Converts a diffusers pipeline folder (safetensors weights) into one single-file checkpoint. */
    public static void convertFolder(Path diffusersDir, Path file, DType dtype) {
        PipelineConfigs configs = PipelineConfigs.fromFolder(diffusersDir);
        Map<String, Weights> components = new LinkedHashMap<>();
        List<SafetensorsWeights> open = new ArrayList<>();
        try {
            for (String c : Components.of(true)) {
                Path dir = diffusersDir.resolve(c);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                String fn = c.startsWith("text_encoder") ? "model.safetensors" : "diffusion_pytorch_model.safetensors";
                Path p = dir.resolve(fn);
                if (!Files.isRegularFile(p)) {
                    throw new VegaException(dir + ": no " + fn);
                }
                SafetensorsWeights w = SafetensorsWeights.open(p);
                open.add(w);
                components.put(c, w);
            }
            write(file, configs, components, dtype);
        } finally {
            open.forEach(SafetensorsWeights::close);
        }
    }
}

package dev.vega4j.pipeline.folder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the safetensors weights of one model component the way diffusers 0.26.3 and transformers name them
 * (diffusers utils/constants.py, {@code _add_variant} in models/modeling_utils.py): diffusers models use
 * {@code diffusion_pytorch_model.safetensors}, transformers models {@code model.safetensors}; a variant inserts its
 * name before the last extension ({@code diffusion_pytorch_model.fp16.safetensors},
 * {@code model.safetensors.index.fp16.json}); a sharded checkpoint is named by its {@code *.safetensors.index.json}.
 */
final class WeightFiles {
    static final String DIFFUSERS = "diffusion_pytorch_model.safetensors";
    static final String TRANSFORMERS = "model.safetensors";

    private WeightFiles() {}

    /** diffusers {@code _add_variant}: "a.b.c" with variant v becomes "a.b.v.c". */
    static String addVariant(String fileName, String variant) {
        if (variant == null) {
            return fileName;
        }
        int dot = fileName.lastIndexOf('.');
        return fileName.substring(0, dot) + "." + variant + fileName.substring(dot);
    }

    /** Candidate names in the order they are tried: the library's own name first, single file before index. */
    static List<String> candidates(ComponentSpec spec, String variant) {
        List<String> bases = spec.isTransformers() ? List.of(TRANSFORMERS, DIFFUSERS) : List.of(DIFFUSERS, TRANSFORMERS);
        List<String> out = new ArrayList<>();
        for (String base : bases) {
            out.add(addVariant(base, variant));
            out.add(addVariant(base + ".index.json", variant));
        }
        return out;
    }

    /**
     * The weights file (single file or shard index) of a component, or a readable error saying what to do. A
     * component without the requested variant falls back to its plain files (repositories often ship fp16 variants
     * of some components only); the reverse does not happen: plain-only loading never picks a variant by itself.
     */
    static Path resolve(Path dir, ComponentSpec spec, String variant) {
        Path found = find(dir, spec, variant);
        if (found == null && variant != null) {
            found = find(dir, spec, null);
        }
        if (found == null) {
            throw new PipelineFolderException(missingMessage(dir, spec, variant));
        }
        return found;
    }

    private static Path find(Path dir, ComponentSpec spec, String variant) {
        for (String name : candidates(spec, variant)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static String missingMessage(Path dir, ComponentSpec spec, String variant) {
        String base = spec.isTransformers() ? TRANSFORMERS : DIFFUSERS;
        List<String> present = listFiles(dir);
        StringBuilder sb = new StringBuilder("component '").append(spec.name()).append("' (").append(spec.className())
                .append("): no weights file ").append(dir.resolve(addVariant(base, variant)))
                .append(" (nor a sharded ").append(addVariant(base + ".index.json", variant)).append(")");
        List<String> safetensors = present.stream().filter(f -> f.endsWith(".safetensors")
                || f.endsWith(".json") && f.contains(".safetensors.index")).toList();
        List<String> pickles = present.stream().filter(f -> f.endsWith(".bin") || f.endsWith(".ckpt")
                || f.endsWith(".pt") || f.endsWith(".pth")).toList();
        if (!safetensors.isEmpty()) {
            sb.append(". The folder has ").append(String.join(", ", safetensors));
            String other = safetensors.stream().map(WeightFiles::variantOf).filter(v -> v != null).findFirst()
                    .orElse(null);
            if (other != null && !other.equals(variant)) {
                sb.append(": open it with variant \"").append(other).append("\"");
            }
        } else if (!pickles.isEmpty()) {
            sb.append(". Only PyTorch pickle weights are present (").append(String.join(", ", pickles))
                    .append("); vega4j reads safetensors only: convert them, e.g. with diffusers'"
                            + " save_pretrained(..., safe_serialization=True)");
        } else {
            sb.append(". Download the component's weights into ").append(dir)
                    .append(", or open the folder in configs-only mode if weights are not needed");
        }
        return sb.toString();
    }

    /** "fp16" for "diffusion_pytorch_model.fp16.safetensors" or "model.safetensors.index.fp16.json", else null. */
    static String variantOf(String fileName) {
        for (String base : List.of(DIFFUSERS, TRANSFORMERS)) {
            for (String full : List.of(base, base + ".index.json")) {
                String stem = full.substring(0, full.lastIndexOf('.'));
                String ext = full.substring(full.lastIndexOf('.'));
                if (fileName.startsWith(stem + ".") && fileName.endsWith(ext)
                        && fileName.length() > stem.length() + 1 + ext.length()) {
                    String v = fileName.substring(stem.length() + 1, fileName.length() - ext.length());
                    if (!v.contains(".")) {
                        return v;
                    }
                }
            }
        }
        return null;
    }

    private static List<String> listFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}

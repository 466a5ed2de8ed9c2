package dev.vega4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.config.JsonErrors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which files of a diffusers repo a pipeline needs, after diffusers 0.26 {@code DiffusionPipeline.download}
 * ({@code pipelines/pipeline_utils.py}) and {@code variant_compatible_siblings}: {@code model_index.json}, and in each
 * component folder named by it the configs ({@code *.json}, {@code *.txt}) and the {@code .safetensors} weights.
 * PyTorch pickles, Flax, ONNX and TF files are never fetched. Per component folder either the variant weights
 * ({@code name.fp16.safetensors}, shards {@code name.fp16-00001-of-00002.safetensors}, index
 * {@code name.safetensors.index.fp16.json}) or the plain ones are taken, never both.
 */
public final class PipelineFiles {
    public static final String MODEL_INDEX = "model_index.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    // name.safetensors | name-00001-of-00002.safetensors, each optionally with .<variant> before the shard/suffix
    private static final Pattern WEIGHTS = Pattern.compile("^(?<stem>[^/.]+)(\\.(?<variant>[A-Za-z0-9_]+))?"
            + "(-\\d{5}-of-\\d{5})?\\.safetensors$");
    private static final Pattern INDEX = Pattern.compile("^(?<stem>[^/.]+)\\.safetensors\\.index"
            + "(\\.(?<variant>[A-Za-z0-9_]+))?\\.json$");

    private PipelineFiles() {}

    /** Component folders of a {@code model_index.json}: keys whose value is a non-null {@code [library, class]}. */
    public static Set<String> components(byte[] modelIndexJson) {
        JsonNode root;
        try {
            root = JSON.readTree(modelIndexJson);
        } catch (IOException e) {
            throw new HubException(HubException.Reason.SERVER, "model_index.json is not valid JSON: " + JsonErrors.describe(e));
        }
        Set<String> out = new LinkedHashSet<>();
        root.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (!e.getKey().startsWith("_") && v.isArray() && v.size() == 2 && !v.get(0).isNull()
                    && !v.get(1).isNull()) {
                out.add(e.getKey());
            }
        });
        return out;
    }

    /**
     * The files to download, in repo order.
     *
     * @param variant preferred weights variant (e.g. {@code fp16}); null = the plain weights only
     */
    public static List<String> select(List<String> repoFiles, Set<String> components, String variant) {
        // folder -> files of interest; weights decided per folder
        Map<String, List<String>> byFolder = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        for (String f : repoFiles) {
            if (f.equals(MODEL_INDEX)) {
                out.add(f);
                continue;
            }
            int slash = f.indexOf('/');
            if (slash < 0 || f.indexOf('/', slash + 1) >= 0 || !components.contains(f.substring(0, slash))) {
                continue; // top-level extras (README, single-file checkpoints) and nested folders
            }
            byFolder.computeIfAbsent(f.substring(0, slash), k -> new ArrayList<>()).add(f);
        }
        for (List<String> files : byFolder.values()) {
            boolean hasVariant = variant != null
                    && files.stream().anyMatch(f -> variant.equals(weightsVariant(name(f))));
            for (String f : files) {
                String n = name(f);
                String lower = n.toLowerCase(Locale.ROOT);
                String wv = weightsVariant(n);
                if (wv != null) {
                    if (hasVariant ? variant.equals(wv) : wv.isEmpty()) {
                        out.add(f);
                    }
                } else if (lower.endsWith(".json") || lower.endsWith(".txt")) {
                    out.add(f);
                }
            }
        }
        // keep repo order for stable progress output
        List<String> ordered = new ArrayList<>();
        for (String f : repoFiles) {
            if (out.contains(f)) {
                ordered.add(f);
            }
        }
        return ordered;
    }

    /**
     * For a safetensors weights file or its shard index: its variant ({@code ""} = plain); null for anything else.
     */
    static String weightsVariant(String fileName) {
        var m = WEIGHTS.matcher(fileName);
        if (m.matches()) {
            return m.group("variant") == null ? "" : m.group("variant");
        }
        m = INDEX.matcher(fileName);
        if (m.matches()) {
            return m.group("variant") == null ? "" : m.group("variant");
        }
        return null;
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}

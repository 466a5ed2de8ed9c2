package dev.vega4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.config.JsonErrors;
import dev.vega4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Weights from one or more memory-mapped safetensors files (a sharded checkpoint's {@code *.safetensors.index.json}
 * names the shards). Tensors are converted to float32 when a module asks for them, except the large
 * float32/fp16/bf16 layer weights asked for through {@link #getWeight}, which stay in the mapped file
 * ({@link WeightResidency}). Closing the files after building a model is fine: a mapped tensor reads from a second
 * mapping that lives as long as the tensor ({@link SafetensorsFile#loadMapped}).
 */
public final class SafetensorsWeights extends IndexedWeights<SafetensorsFile> implements AutoCloseable {
    private final List<SafetensorsFile> files;

    private SafetensorsWeights(String prefix, Map<String, SafetensorsFile> byName, List<SafetensorsFile> files,
            Set<String> accessed, String source) {
        super(prefix, byName, accessed, source);
        this.files = files;
    }

    /** Opens a single file or, for {@code *.safetensors.index.json}, every shard it names. */
    public static SafetensorsWeights open(Path path) {
        String fn = path.getFileName().toString();
        List<Path> shards = new ArrayList<>();
        if (fn.endsWith(".index.json")) {
            shards.addAll(shardsOf(path));
        } else {
            shards.add(path);
        }
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            for (Path p : shards) {
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                for (String name : f.tensors().keySet()) {
                    if (byName.putIfAbsent(name, f) != null) {
                        throw new SafetensorsException(p + ": tensor '" + name + "' also appears in "
                                + byName.get(name).path());
                    }
                }
            }
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsWeights("", Collections.unmodifiableMap(byName), List.copyOf(files),
                ConcurrentHashMap.newKeySet(), path.toString());
    }

    private static List<Path> shardsOf(Path index) {
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(index));
            JsonNode map = root == null ? null : root.get("weight_map");
            if (map == null || !map.isObject()) {
                throw new VegaException(index + ": no \"weight_map\" object in the shard index");
            }
            List<Path> out = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = map.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Path p = shard(index, e.getKey(), e.getValue());
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
            return out;
        } catch (IOException e) {
            throw new VegaException(index + ": cannot read shard index: " + JsonErrors.describe(e), e);
        }
    }

    /**
     * The shard a {@code weight_map} entry names: a file next to the index. An index comes from the Hub like the
     * weights, so a name that leaves the folder ({@code ../}, an absolute path) or is no file name is refused rather
     * than opened.
     */
    private static Path shard(Path index, String tensor, JsonNode file) {
        String where = index + ": \"weight_map\" entry '" + abbreviate(tensor) + "'";
        if (!file.isTextual() || file.asText().isBlank()) {
            throw new SafetensorsException(where + " must name a shard file, got " + abbreviate(file.toString()));
        }
        String name = file.asText();
        Path dir = index.toAbsolutePath().normalize().getParent();
        Path p;
        try {
            p = dir.resolve(name).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new SafetensorsException(where + " names '" + abbreviate(name) + "', which is not a file name");
        }
        if (!dir.equals(p.getParent())) {
            throw new SafetensorsException(where + " names '" + abbreviate(name) + "', outside the index's folder"
                    + " (shards must sit next to it)");
        }
        return index.resolveSibling(p.getFileName().toString());
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    @Override
    protected Tensor read(String fullName, SafetensorsFile file, boolean keepMapped) {
        if (keepMapped && WeightResidency.staysMapped(file.info(fullName))) {
            return file.loadMapped(fullName);
        }
        return file.load(fullName);
    }

    @Override
    protected Weights view(String newPrefix) {
        return new SafetensorsWeights(newPrefix, index, files, accessed, source());
    }

    @Override
    protected int[] shapeOf(String fullName) {
        return info(fullName).intShape();
    }

    /** Header information of a tensor (dtype, shape) without loading it. */
    public TensorInfo info(String fullName) {
        SafetensorsFile f = index.get(fullName);
        if (f == null) {
            throw new MissingWeightsException(Set.of(fullName), source());
        }
        return f.info(fullName);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}

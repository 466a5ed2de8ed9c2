package dev.vega4j.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;

/** One case of a manifest: its parameters (the JSON object) and its tensors (the safetensors file it names). */
public final class GoldenCase {
    private final GoldenGroup group;
    private final JsonNode json;
    private SafetensorsFile file;

    GoldenCase(GoldenGroup group, JsonNode json) {
        this.group = group;
        this.json = json;
    }

    public String id() {
        JsonNode id = json.get("id");
        return id == null ? "?" : id.asText();
    }

    public JsonNode json() {
        return json;
    }

    public GoldenGroup group() {
        return group;
    }

    /** The pipeline folder of {@code model}, or null when the case names none. */
    public Path modelDir() {
        JsonNode m = json.get("model");
        return m == null || m.isNull() ? null : group.modelDir(m.asText());
    }

    public String model() {
        JsonNode m = json.get("model");
        return m == null ? null : m.asText();
    }

    /** The case's safetensors file ({@code file}, or the group's top-level {@code file}). */
    public synchronized SafetensorsFile file() {
        if (file == null) {
            JsonNode f = json.get("file");
            if (f == null) {
                f = group.manifest().get("file");
            }
            if (f == null) {
                throw new IllegalStateException("case " + id() + " names no file");
            }
            file = SafetensorsFile.open(group.dir().resolve(f.asText()));
        }
        return file;
    }

    public Tensor tensor(String key) {
        return file().load(key);
    }

    public boolean has(String key) {
        return file().contains(key);
    }

    /** Releases the mapped file. */
    public synchronized void close() {
        if (file != null) {
            file.close();
            file = null;
        }
    }

    @Override
    public String toString() {
        return group.dir().getFileName() + "/" + id();
    }
}

package dev.vega4j.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One {@code cases/<group>/manifest.json}: its top-level keys and its cases, whatever cases it lists. */
public final class GoldenGroup {
    // Python's json module writes -Infinity/NaN literals (e.g. DPM-Solver's lambda_min_clipped); accept them.
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final Path root;
    private final Path dir;
    private final JsonNode manifest;
    private final List<GoldenCase> cases;

    private GoldenGroup(Path root, Path dir, JsonNode manifest) {
        this.root = root;
        this.dir = dir;
        this.manifest = manifest;
        List<GoldenCase> list = new ArrayList<>();
        JsonNode cs = manifest.get("cases");
        if (cs != null) {
            for (JsonNode c : cs) {
                list.add(new GoldenCase(this, c));
            }
        }
        this.cases = List.copyOf(list);
    }

    public static GoldenGroup load(Path goldenRoot, String group) {
        Path dir = Golden.group(goldenRoot, group);
        Path mf = dir.resolve("manifest.json");
        try {
            return new GoldenGroup(goldenRoot, dir, JSON.readTree(Files.readString(mf)));
        } catch (IOException e) {
            throw new VegaException("cannot read golden manifest " + mf + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    public Path dir() {
        return dir;
    }

    /** The whole manifest (group-specific top-level keys such as {@code base_config}). */
    public JsonNode manifest() {
        return manifest;
    }

    public List<GoldenCase> cases() {
        return cases;
    }

    /** The pipeline folder a case names ({@code model}), resolved in the golden root. */
    public Path modelDir(String model) {
        return root.resolve(model);
    }
}

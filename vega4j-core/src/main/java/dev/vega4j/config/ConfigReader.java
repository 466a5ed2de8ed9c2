package dev.vega4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to a diffusers {@code config.json} object: every getter takes the default diffusers uses when the key
 * is omitted (or JSON {@code null} where diffusers treats null like "not given"), and a value of the wrong kind is a
 * readable {@link VegaException} naming the file and the key.
 */
final class ConfigReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root;
    private final String source;

    ConfigReader(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new VegaException(source + ": a model config must be a JSON object");
        }
        this.root = root;
        this.source = source;
    }

    static JsonNode read(Path file, String what) {
        try {
            return JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new VegaException(what + " config not found: " + file);
        } catch (IOException e) {
            throw new VegaException(file + ": cannot read " + what + " config: " + JsonErrors.describe(e), e);
        }
    }

    String source() {
        return source;
    }

    boolean has(String key) {
        return root.has(key);
    }

    /** The node, or null when absent or JSON null. */
    JsonNode node(String key) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? null : n;
    }

    VegaException bad(String key, String expected) {
        return new VegaException(source + ": config key '" + key + "' must be " + expected + ", got " + root.get(key));
    }

    int integer(String key, int def) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isNumber() || n.asDouble() != Math.rint(n.asDouble())) {
            throw bad(key, "an integer");
        }
        return n.asInt();
    }

    Integer optInteger(String key) {
        return node(key) == null ? null : integer(key, 0);
    }

    float number(String key, float def) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isNumber()) {
            throw bad(key, "a number");
        }
        return (float) n.asDouble();
    }

    boolean bool(String key, boolean def) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isBoolean()) {
            throw bad(key, "true or false");
        }
        return n.asBoolean();
    }

    String string(String key, String def) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isTextual()) {
            throw bad(key, "a string");
        }
        return n.asText();
    }

    /** A string that may be given as JSON null explicitly (null stays null, absent takes the default). */
    String nullableString(String key, String def) {
        if (!root.has(key)) {
            return def;
        }
        return string(key, null);
    }

    List<String> strings(String key, List<String> def) {
        JsonNode n = node(key);
        if (n == null) {
            return def;
        }
        if (!n.isArray()) {
            throw bad(key, "a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw bad(key, "a list of strings");
            }
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    int[] ints(String key, int[] def) {
        JsonNode n = node(key);
        if (n == null) {
            return def == null ? null : def.clone();
        }
        if (!n.isArray()) {
            throw bad(key, "a list of integers");
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isIntegralNumber()) {
                throw bad(key, "a list of integers");
            }
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    /** diffusers' "int or one value per block" parameters, expanded to {@code levels} values. */
    int[] intPerLevel(String key, int def, int levels) {
        JsonNode n = node(key);
        if (n == null) {
            return filled(def, levels);
        }
        if (n.isIntegralNumber()) {
            return filled(n.asInt(), levels);
        }
        int[] v = ints(key, null);
        if (v.length != levels) {
            throw new VegaException(source + ": config key '" + key + "' has " + v.length + " values but the model has "
                    + levels + " blocks");
        }
        return v;
    }

    /** Like {@link #intPerLevel} for a boolean. */
    boolean[] boolPerLevel(String key, boolean def, int levels) {
        JsonNode n = node(key);
        boolean[] out = new boolean[levels];
        if (n == null || n.isBoolean()) {
            java.util.Arrays.fill(out, n == null ? def : n.asBoolean());
            return out;
        }
        if (!n.isArray() || n.size() != levels) {
            throw bad(key, "a boolean or " + levels + " booleans");
        }
        for (int i = 0; i < levels; i++) {
            out[i] = n.get(i).asBoolean();
        }
        return out;
    }

    /**
     * Checks that every value of a size-like key (channels, layers, heads) is in {@code [min, max]}: a config is data,
     * and a negative or absurd size must fail here, naming the key, not deep inside a model as an allocation or a
     * broken block.
     */
    int[] inRange(String key, int[] values, int min, int max) {
        for (int v : values) {
            if (v < min || v > max) {
                throw new VegaException(source + ": config key '" + key + "' must be between " + min + " and " + max
                        + ", got " + v);
            }
        }
        return values;
    }

    /** {@link #inRange(String, int[], int, int)} for one value; null (absent) passes. */
    Integer inRange(String key, Integer value, int min, int max) {
        if (value != null) {
            inRange(key, new int[] {value}, min, max);
        }
        return value;
    }

    static int[] filled(int v, int n) {
        int[] out = new int[n];
        java.util.Arrays.fill(out, v);
        return out;
    }
}

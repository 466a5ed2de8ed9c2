package dev.vega4j.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * One input row as read, before any check: its 1-based position in the input, the known columns as text (absent
 * or null = not in the map) and, for a JSON line that did not parse, the line itself.
 */
public record InputRow(long number, Map<String, String> values, String corrupt) implements Serializable {

    /** The columns a row may have; anything else in the input is ignored. */
    public static final java.util.List<String> COLUMNS = java.util.List.of("id", "prompt", "negative_prompt", "seed",
            "steps", "guidance_scale", "scheduler", "width", "height", "samples", "lora");

    public String get(String column) {
        String v = values.get(column);
        return v == null || v.isBlank() ? null : v.strip();
    }
}

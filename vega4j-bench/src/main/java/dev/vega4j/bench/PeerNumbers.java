package dev.vega4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Another engine's numbers measured side by side on the same machine, for {@code vega bench table --peer-json FILE}.
 * The file (see {@code docs/peers/ort-zen5.json}):
 *
 * <pre>{@code
 * {"peer": "ONNX Runtime 1.29 Java", "machine": "AMD Zen 5, 2 cores", "notes": "optional",
 *  "rows": [{"model": "vega", "size": 1024, "unet_step_b2_s": 17.85, "vae_decode_s": 43.1}]}
 * }</pre>
 *
 * {@code model} is a {@code vega bench --model-type} name, {@code size} the image side; each time (seconds, one UNet
 * step at batch 2, one VAE decode) is optional.
 */
public record PeerNumbers(String peer, String machine, String notes, List<Row> rows) {

    /** One model and size; NaN where the peer has no figure. */
    public record Row(String model, int size, double unetStepB2Seconds, double vaeDecodeSeconds) {}

    public PeerNumbers {
        rows = List.copyOf(rows);
    }

    /** The row for a model and size, or null. */
    public Row row(String model, int size) {
        return rows.stream().filter(r -> r.model().equals(model) && r.size() == size).findFirst().orElse(null);
    }

    public static PeerNumbers read(Path file) {
        try {
            return parse(new ObjectMapper().readTree(file.toFile()), file.toString());
        } catch (IOException e) {
            throw new VegaException("bench: cannot read the peer file " + file + ": " + e.getMessage(), e);
        }
    }

    static PeerNumbers parse(JsonNode j, String source) {
        if (!j.path("peer").isTextual() || !j.path("rows").isArray()) {
            throw new VegaException("bench: " + source + " needs \"peer\" (text) and \"rows\" (an array)");
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode r : j.get("rows")) {
            if (!r.path("model").isTextual() || !r.path("size").canConvertToInt()) {
                throw new VegaException("bench: " + source + ": every row needs \"model\" (text) and \"size\" (an"
                        + " integer), got " + r);
            }
            rows.add(new Row(r.get("model").asText(), r.get("size").asInt(), seconds(r, "unet_step_b2_s", source),
                    seconds(r, "vae_decode_s", source)));
        }
        return new PeerNumbers(j.get("peer").asText(), j.path("machine").asText(""), j.path("notes").asText(""),
                rows);
    }

    private static double seconds(JsonNode row, String field, String source) {
        JsonNode v = row.get(field);
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (!v.isNumber() || v.asDouble() <= 0) {
            throw new VegaException("bench: " + source + ": \"" + field + "\" must be a positive number of seconds,"
                    + " got " + v);
        }
        return v.asDouble();
    }
}

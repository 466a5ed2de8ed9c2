package dev.vega4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the LoRA adapters a request asks for, in the two syntaxes clients use:
 * <ul>
 *   <li>Segmind / JSON APIs: a {@code lora} (or {@code loras}) field holding {@code "name"}, {@code "name:0.8"}, an
 *       object {@code {"name": "name", "scale": 0.8}} ({@code weight} / {@code strength} accepted for scale), or a
 *       list of those.</li>
 *   <li>AUTOMATIC1111: extra-network tags in the prompt, {@code <lora:name>}, {@code <lora:name:0.8>},
 *       {@code <lora:name:te:unet>}, {@code te=} / {@code unet=} named, removed from the text exactly like A1111's
 *       {@code extra_networks.parse_prompt} ({@code re.sub(r"<(\w+):([^>]+)>", "", prompt)}); the strengths follow its
 *       {@code extra_networks_lora.py} (unet defaults to te, te to 1).</li>
 * </ul>
 * Names resolve only against the server's {@link LoraLibrary}. Strengths must be finite and within
 * ±{@value #MAX_SCALE}; at most {@value #MAX_PER_REQUEST} adapters per request.
 */
final class LoraRequests {
    static final int MAX_PER_REQUEST = 8;
    static final double MAX_SCALE = 10;
    /** A1111's {@code re_extra_net}; Python's {@code \w} is Unicode-aware, hence {@code (?U)}. */
    private static final Pattern EXTRA_NETWORK = Pattern.compile("(?U)<(\\w+):([^>]+)>");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private LoraRequests() {}

    /** The {@code lora} / {@code loras} field of a JSON request; empty when absent, null, "" or []. */
    static List<LoraUse> fromJson(Fields f, LoraLibrary library) {
        if (f.has("lora") && f.has("loras")) {
            throw ApiException.badRequest("send either lora or loras, not both");
        }
        String field = f.has("loras") ? "loras" : "lora";
        JsonNode n = f.node(field);
        List<LoraUse> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                JsonNode item = n.get(i);
                if (item != null && !item.isNull() && !(item.isTextual() && item.textValue().isBlank())) {
                    out.add(one(field + "[" + i + "]", item, library));
                }
            }
        } else if (!(n.isTextual() && n.textValue().isBlank())) {
            out.add(one(field, n, library));
        }
        return limit(field, out);
    }

    private static LoraUse one(String field, JsonNode n, LoraLibrary library) {
        if (n.isTextual()) {
            String s = n.textValue().strip();
            int colon = s.indexOf(':');
            if (colon < 0) {
                return use(field, library, s, 1, 1);
            }
            String name = s.substring(0, colon);
            String rest = s.substring(colon + 1);
            if (rest.indexOf(':') >= 0) {
                throw ApiException.badRequest(field + ": expected \"name\" or \"name:scale\", got '" + abbreviate(s)
                        + "'");
            }
            double scale = scale(field, rest.strip());
            return use(field, library, name.strip(), scale, scale);
        }
        if (n.isObject()) {
            String name = null;
            Double scale = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "name" -> {
                        if (!v.isTextual()) {
                            throw ApiException.badRequest(field + ".name must be a string, got " + v.getNodeType()
                                    .toString().toLowerCase(java.util.Locale.ROOT));
                        }
                        name = v.textValue();
                    }
                    case "scale", "weight", "strength" -> {
                        if (scale != null) {
                            throw ApiException.badRequest(field + ": give the strength once (scale, weight or"
                                    + " strength)");
                        }
                        scale = v.isNull() ? null : scale(field + "." + e.getKey(), v);
                    }
                    default -> throw ApiException.badRequest(field + ": unknown field '" + abbreviate(e.getKey())
                            + "' (expected name and scale)");
                }
            }
            if (name == null) {
                throw ApiException.badRequest(field + ".name is required");
            }
            double s = scale == null ? 1 : scale;
            return use(field, library, name, s, s);
        }
        throw ApiException.badRequest(field + " must be \"name\", \"name:scale\", {\"name\": ..., \"scale\": ...} or a"
                + " list of those, got " + n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
    }

    private static double scale(String field, JsonNode v) {
        if (v.isNumber()) {
            return check(field, v.doubleValue(), v.asText());
        }
        if (v.isTextual()) {
            return scale(field, v.textValue().strip());
        }
        throw ApiException.badRequest(field + " must be a number, got " + v.getNodeType().toString()
                .toLowerCase(java.util.Locale.ROOT));
    }

    private static double scale(String field, String s) {
        if (!NUMBER.matcher(s).matches()) {
            throw ApiException.badRequest(field + ": the LoRA scale must be a number, got '" + abbreviate(s) + "'");
        }
        return check(field, Double.parseDouble(s), s);
    }

    private static double check(String field, double v, String text) {
        if (!Double.isFinite(v) || Math.abs(v) > MAX_SCALE) {
            throw ApiException.badRequest(field + ": the LoRA scale must be between -" + (int) MAX_SCALE + " and "
                    + (int) MAX_SCALE + ", got " + abbreviate(text));
        }
        return v;
    }

    private static LoraUse use(String field, LoraLibrary library, String name, double te, double unet) {
        LoraLibrary.Entry e = library.find(field, name);
        return new LoraUse(e.name(), (float) te, (float) unet, e, library.shortHash(e));
    }

    private static List<LoraUse> limit(String field, List<LoraUse> out) {
        if (out.size() > MAX_PER_REQUEST) {
            throw ApiException.badRequest(field + ": at most " + MAX_PER_REQUEST + " LoRA adapters per request, got "
                    + out.size());
        }
        return out;
    }

    /** A prompt without its extra-network tags, and the adapters they asked for. */
    record Extracted(String text, List<LoraUse> loras) {}

    /**
     * Removes every {@code <type:...>} tag from {@code text} (A1111 does, whatever the type) and reads the
     * {@code lora} / {@code lyco} ones; other types (hypernetworks ...) are refused rather than silently dropped.
     */
    static Extracted fromPrompt(String field, String text, LoraLibrary library) {
        if (text == null) {
            return new Extracted(null, List.of());
        }
        List<LoraUse> out = new ArrayList<>();
        Matcher m = EXTRA_NETWORK.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String type = m.group(1);
            String where = field + " " + abbreviate(m.group());
            if (!type.equals("lora") && !type.equals("lyco")) {
                throw ApiException.badRequest(where + ": extra networks of type '" + type + "' are not supported"
                        + " (only <lora:name:weight>)");
            }
            out.add(a1111Lora(where, m.group(2).split(":", -1), library));
            m.appendReplacement(sb, "");
        }
        m.appendTail(sb);
        return new Extracted(sb.toString(), limit(field, out));
    }

    /** {@code extra_networks_lora.py}: positional name, te, unet[, dyn]; named te=, unet=, dyn=. */
    private static LoraUse a1111Lora(String where, String[] items, LoraLibrary library) {
        List<String> positional = new ArrayList<>();
        Double te = null, unet = null;
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                positional.add(item);
                continue;
            }
            String key = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            switch (key) {
                case "te" -> te = scale(where + " te", value);
                case "unet" -> unet = scale(where + " unet", value);
                case "dyn" -> throw ApiException.badRequest(where + ": dyn (dynamic rank) is not supported");
                default -> throw ApiException.badRequest(where + ": unknown option '" + abbreviate(key)
                        + "' (te=, unet=)");
            }
        }
        if (positional.isEmpty() || positional.getFirst().isBlank()) {
            throw ApiException.badRequest(where + ": the LoRA name is missing");
        }
        library.find(where, positional.getFirst()); // an unknown name first: the most useful message
        if (positional.size() > 3) {
            throw ApiException.badRequest(where + ": dynamic rank (a fourth value) is not supported");
        }
        double teV = positional.size() > 1 ? scale(where, positional.get(1).strip()) : 1;
        if (te != null) {
            teV = te;
        }
        double unetV = positional.size() > 2 ? scale(where, positional.get(2).strip()) : teV;
        if (unet != null) {
            unetV = unet;
        }
        return use(where, library, positional.getFirst(), teV, unetV);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}

package dev.vega4j.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;

/**
 * Typed, validated access to the fields of a JSON request body. Every error names the field and what was expected,
 * because a client sending {@code "num_inference_steps": "many"} needs to know which of twenty fields to fix. Numbers
 * sent as strings ({@code "25"}) are accepted since several Segmind client libraries send form-style values.
 */
final class Fields {
    /** 2^64-2: 2^64-1 would wrap to -1, which means "random". */
    private static final BigInteger MAX_SEED = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.TWO);

    private final ObjectNode body;

    private Fields(ObjectNode body) {
        this.body = body;
    }

    static Fields parse(ObjectMapper json, byte[] bytes) {
        if (bytes.length == 0) {
            throw ApiException.badRequest("the request body is empty; send a JSON object such as {\"prompt\": \"...\"}");
        }
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")" : ""));
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("the request body could not be read: " + e.getMessage());
        }
        if (!(node instanceof ObjectNode o)) {
            throw ApiException.badRequest("the request body must be a JSON object, got " + kind(node));
        }
        return new Fields(o);
    }

    static Fields of(ObjectNode node) {
        return new Fields(node);
    }

    boolean has(String name) {
        JsonNode n = body.get(name);
        return n != null && !n.isNull();
    }

    JsonNode node(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    String string(String name) {
        JsonNode n = node(name);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest(name + " must be a string, got " + kind(n));
        }
        return n.textValue();
    }

    /** A prompt: required, a non-blank string of bounded length. */
    String prompt(String name, boolean required) {
        String s = string(name);
        if (s == null) {
            if (required) {
                throw ApiException.badRequest(name + " is required");
            }
            return null;
        }
        if (required && s.isBlank()) {
            throw ApiException.badRequest(name + " must not be empty");
        }
        if (s.length() > 10_000) {
            throw ApiException.badRequest(name + " is too long (" + s.length() + " characters; at most 10000)");
        }
        return s;
    }

    Integer integer(String name, int min, int max) {
        JsonNode n = node(name);
        if (n == null) {
            return null;
        }
        long v;
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            v = n.longValue();
        } else if (n.isNumber() && n.asDouble() == Math.rint(n.asDouble()) && Double.isFinite(n.asDouble())) {
            v = (long) n.asDouble();
        } else if (n.isTextual() && n.textValue().strip().matches("-?\\d{1,18}")) {
            v = Long.parseLong(n.textValue().strip());
        } else if (n.isIntegralNumber()) {
            throw ApiException.badRequest(name + " must be between " + min + " and " + max + ", got " + n.asText());
        } else {
            throw ApiException.badRequest(name + " must be a whole number, got " + kind(n)
                    + (n.isValueNode() ? " (" + abbreviate(n.asText()) + ")" : ""));
        }
        if (v < min || v > max) {
            throw ApiException.badRequest(name + " must be between " + min + " and " + max + ", got " + v);
        }
        return (int) v;
    }

    Double number(String name, double min, double max) {
        JsonNode n = node(name);
        if (n == null) {
            return null;
        }
        double v;
        if (n.isNumber()) {
            v = n.doubleValue();
        } else if (n.isTextual()) {
            try {
                v = Double.parseDouble(n.textValue().strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest(name + " must be a number, got '" + abbreviate(n.textValue()) + "'");
            }
        } else {
            throw ApiException.badRequest(name + " must be a number, got " + kind(n));
        }
        if (!Double.isFinite(v) || v < min || v > max) {
            throw ApiException.badRequest(name + " must be between " + fmt(min) + " and " + fmt(max) + ", got "
                    + fmt(v));
        }
        return v;
    }

    Boolean bool(String name) {
        JsonNode n = node(name);
        if (n == null) {
            return null;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isTextual() && (n.textValue().equalsIgnoreCase("true") || n.textValue().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(n.textValue());
        }
        if (n.isIntegralNumber() && (n.intValue() == 0 || n.intValue() == 1)) {
            return n.intValue() == 1;
        }
        throw ApiException.badRequest(name + " must be true or false, got " + kind(n));
    }

    /** A seed: -1 (random) or 0 .. 2^64-2 (unsigned values above 2^63 become negative longs, as in diffusers). */
    Long seed(String name) {
        JsonNode n = node(name);
        if (n == null) {
            return null;
        }
        BigInteger v;
        if (n.isIntegralNumber()) {
            v = n.bigIntegerValue();
        } else if (n.isTextual() && n.textValue().strip().matches("-?\\d{1,20}")) {
            v = new BigInteger(n.textValue().strip());
        } else if (n.isNumber() && n.asDouble() == Math.rint(n.asDouble()) && Math.abs(n.asDouble()) < 1e15) {
            v = BigInteger.valueOf((long) n.asDouble());
        } else {
            throw ApiException.badRequest(name + " must be a whole number (-1 = random), got " + kind(n));
        }
        if (v.signum() < 0 && !v.equals(BigInteger.ONE.negate())) {
            throw ApiException.badRequest(name + " must be -1 (random) or between 0 and 2^64-2, got " + v);
        }
        if (v.compareTo(MAX_SEED) > 0) {
            throw ApiException.badRequest(name + " must be at most 2^64-2, got " + v);
        }
        return v.longValue();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}

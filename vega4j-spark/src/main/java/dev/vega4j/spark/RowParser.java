package dev.vega4j.spark;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.VegaException;
import dev.vega4j.lora.LoraSpec;
import dev.vega4j.pipeline.GenerationRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Turns an {@link InputRow} into a {@link BatchRow}, or a {@link BadRowException} saying what is wrong with it. */
public final class RowParser {
    /** An id names files on every file system: letters, digits, '.', '_', '-', not starting with a dot. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    private RowParser() {}

    public static BatchRow parse(InputRow in) {
        if (in.corrupt() != null) {
            throw new BadRowException("not a JSON object: " + abbreviate(in.corrupt()));
        }
        String prompt = in.get("prompt");
        if (prompt == null) {
            throw new BadRowException("prompt is missing");
        }
        String id = in.get("id");
        if (id != null && !ID.matcher(id).matches()) {
            throw new BadRowException("id '" + abbreviate(id) + "' cannot name a file (use up to 128 letters, digits,"
                    + " '.', '_' or '-', not starting with '.')");
        }
        Long seed = seed(in.get("seed"));
        int steps = intValue(in, "steps", GenerationRequest.DEFAULT_STEPS);
        double guidance = doubleValue(in, "guidance_scale", GenerationRequest.DEFAULT_GUIDANCE);
        Integer width = in.get("width") == null ? null : intValue(in, "width", 0);
        Integer height = in.get("height") == null ? null : intValue(in, "height", 0);
        int samples = intValue(in, "samples", 1);
        List<String> loras = new ArrayList<>();
        if (in.get("lora") != null) {
            for (String s : in.get("lora").split(",")) {
                if (!s.isBlank()) {
                    try {
                        loras.add(LoraSpec.parse(s.strip()).toString());
                    } catch (VegaException e) {
                        throw new BadRowException("lora: " + e.getMessage());
                    }
                }
            }
        }
        String content = content(in);
        String name = id != null ? id : "row-" + RowSeeds.hash(content).substring(0, 16);
        BatchRow row = new BatchRow(in.number(), name, id, prompt, in.values().get("negative_prompt"), seed, steps,
                guidance, in.get("scheduler"), width, height, samples, List.copyOf(loras), content);
        try {
            row.request(0); // the request's own checks: steps, sizes (multiples of 8), scheduler name, samples
        } catch (InvalidRequestException e) {
            throw new BadRowException(e.getMessage());
        }
        return row;
    }

    /** The row's columns in a fixed order, absent ones left out: what its name hash and fingerprint are made of. */
    static String content(InputRow in) {
        StringBuilder sb = new StringBuilder();
        for (String c : InputRow.COLUMNS) {
            String v = c.equals("negative_prompt") ? in.values().get(c) : in.get(c);
            if (v != null) {
                sb.append(c).append('=').append(v.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            }
        }
        return sb.toString();
    }

    private static Long seed(String s) {
        if (s == null) {
            return null;
        }
        try {
            long v = s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s);
            // -1 is "random" for vega generate; a batch has no random seeds, so it means "derive one"
            return v == -1 ? null : v;
        } catch (NumberFormatException e) {
            throw new BadRowException("seed must be a whole number, got '" + abbreviate(s) + "'");
        }
    }

    private static int intValue(InputRow in, String column, int absent) {
        String s = in.get(column);
        if (s == null) {
            return absent;
        }
        try {
            double d = Double.parseDouble(s); // "512" and 512.0 (a CSV or JSON number read as double) are the same
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) d;
        } catch (NumberFormatException e) {
            throw new BadRowException(column + " must be a whole number, got '" + abbreviate(s) + "'");
        }
    }

    private static double doubleValue(InputRow in, String column, double absent) {
        String s = in.get(column);
        if (s == null) {
            return absent;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new BadRowException(column + " must be a number, got '" + abbreviate(s) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}

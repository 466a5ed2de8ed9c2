package dev.vega4j.spark;

import java.io.Serializable;

/**
 * An input row after checking: either a {@link BatchRow} to generate ({@code error} null) or the reason it cannot be
 * ({@code row} null), with what is known of it for the results.
 */
public record ParsedRow(long number, String id, String prompt, BatchRow row, String error) implements Serializable {

    public static ParsedRow of(InputRow in) {
        try {
            BatchRow r = RowParser.parse(in);
            return new ParsedRow(in.number(), r.id(), r.prompt(), r, null);
        } catch (BadRowException e) {
            return new ParsedRow(in.number(), in.get("id"), in.values().get("prompt"), null, e.getMessage());
        }
    }

    public ParsedRow withError(String error) {
        return new ParsedRow(number, id, prompt, null, error);
    }

    public boolean ok() {
        return row != null;
    }
}

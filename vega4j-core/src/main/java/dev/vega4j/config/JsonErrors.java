package dev.vega4j.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.regex.Pattern;

/**
 * A user-facing reason for a JSON file that could not be parsed. Jackson's {@code getMessage()} appends a location
 * that, with source inclusion off (the default), reads {@code [Source: REDACTED (`StreamReadFeature...` disabled)]};
 * users need only the problem and the line/column.
 */
public final class JsonErrors {
    /** A location Jackson writes inside the message itself, e.g. where an unclosed object started. */
    private static final Pattern NESTED_LOCATION = Pattern.compile("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]");

    private JsonErrors() {}

    /** E.g. {@code "Unexpected end-of-input ... (line 2, column 1)"}; {@code "not UTF-8 text"} for binary files. */
    public static String describe(IOException e) {
        if (e instanceof JsonProcessingException jp) {
            // "expected close marker for Object (start marker at [Source: REDACTED ...; line: 1, column: 16])"
            String what = NESTED_LOCATION.matcher(jp.getOriginalMessage()).replaceAll("line $1, column $2");
            JsonLocation at = jp.getLocation();
            if (at != null && at.getLineNr() > 0) {
                what += " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            }
            return what;
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}

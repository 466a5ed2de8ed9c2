package dev.vega4j.io;

import dev.vega4j.VegaException;
import java.util.Set;
import java.util.TreeSet;

/** The model needs weights that the file does not have; lists them (the first few when there are many). */
public final class MissingWeightsException extends VegaException {
    private final Set<String> missing;

    public MissingWeightsException(Set<String> missing, String source) {
        super(message(missing, source));
        this.missing = new TreeSet<>(missing);
    }

    public Set<String> missing() {
        return missing;
    }

    private static String message(Set<String> missing, String source) {
        StringBuilder sb = new StringBuilder(source).append(": ").append(missing.size())
                .append(" weight(s) missing: ");
        int i = 0;
        for (String m : new TreeSet<>(missing)) {
            if (i++ == 20) {
                sb.append(", … (").append(missing.size() - 20).append(" more)");
                break;
            }
            sb.append(i > 1 ? ", " : "").append(m);
        }
        return sb.toString();
    }
}

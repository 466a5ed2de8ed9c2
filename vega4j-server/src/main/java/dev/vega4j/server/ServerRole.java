package dev.vega4j.server;

import dev.vega4j.InvalidRequestException;
import java.util.Locale;

/** What a node of {@code vega serve --store} does: take requests (api), run jobs (worker), or both (all). */
public enum ServerRole {
    ALL, API, WORKER;

    public boolean takesRequests() {
        return this != WORKER;
    }

    public boolean runsJobs() {
        return this != API;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ServerRole parse(String s) {
        for (ServerRole r : values()) {
            if (r.label().equals(s.strip().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new InvalidRequestException("--role must be all, api or worker, got '" + s + "'");
    }
}

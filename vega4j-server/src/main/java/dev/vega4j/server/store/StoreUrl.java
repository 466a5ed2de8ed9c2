package dev.vega4j.server.store;

import dev.vega4j.InvalidRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the shared store is: {@code postgresql://user:pass@host:port/db} (libpq's form) or the JDBC form
 * {@code jdbc:postgresql://host:port/db?user=..&password=..}. The password may also come from
 * {@code VEGA_STORE_PASSWORD}, so it need not appear in a process listing.
 *
 * @param jdbcUrl  the JDBC URL without credentials
 * @param user     the user, or null for the driver's default
 * @param password the password, or null
 */
public record StoreUrl(String jdbcUrl, String user, String password) {
    public static final String PASSWORD_ENV = "VEGA_STORE_PASSWORD";

    /** Parses {@code text}; {@code envPassword} (may be null) is used when the URL names no password. */
    public static StoreUrl parse(String text, String envPassword) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException("--store needs a URL like postgresql://user:pass@host:5432/vega");
        }
        String s = text.strip();
        if (s.startsWith("jdbc:")) {
            s = s.substring(5);
        }
        if (s.startsWith("postgres://")) {
            s = "postgresql://" + s.substring("postgres://".length());
        }
        if (!s.startsWith("postgresql://")) {
            throw new InvalidRequestException("--store must be a PostgreSQL URL (postgresql://user:pass@host:port/db"
                    + " or jdbc:postgresql://host:port/db), got '" + redact(text) + "'");
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new InvalidRequestException("--store is not a valid URL: " + e.getReason());
        }
        if (uri.getHost() == null) {
            throw new InvalidRequestException("--store names no host: '" + redact(text) + "'");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/" + db
                + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        if (password == null && envPassword != null && !envPassword.isEmpty()) {
            password = envPassword;
        }
        return new StoreUrl(jdbc, user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL without any password, for logs and /health. */
    public String display() {
        return redact(jdbcUrl).replaceFirst("^jdbc:", "") + (user != null ? " as " + user : "");
    }

    private static String redact(String url) {
        return url.replaceAll("(//[^/:@]*):[^@/]*@", "$1:***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    @Override
    public String toString() {
        return display();
    }
}

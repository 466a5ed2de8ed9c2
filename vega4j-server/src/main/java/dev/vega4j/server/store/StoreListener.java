package dev.vega4j.server.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LISTEN}s on store channels on a connection of its own (outside the pool: a listening connection must stay
 * open) and hands each notification to {@code onNotify(channel, payload)}. Reconnects when the store goes away and
 * comes back; notifications sent meanwhile are lost, so callers also poll.
 */
public final class StoreListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreListener.class);

    private final StoreUrl url;
    private final List<String> channels;
    private final BiConsumer<String, String> onNotify;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    public StoreListener(StoreUrl url, List<String> channels, BiConsumer<String, String> onNotify) {
        this.url = url;
        this.channels = List.copyOf(channels);
        this.onNotify = onNotify;
        this.thread = Thread.ofPlatform().daemon(true).name("vega-store-listener").unstarted(this::run);
        thread.start();
    }

    private void run() {
        boolean warned = false;
        while (!closed) {
            try (Connection c = connect()) {
                connection = c;
                try (Statement st = c.createStatement()) {
                    for (String ch : channels) {
                        st.execute("LISTEN " + ch);
                    }
                }
                if (warned) {
                    LOG.info("listening to the store again");
                    warned = false;
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] ns = pg.getNotifications(500);
                    if (ns != null) {
                        for (PGNotification n : ns) {
                            onNotify.accept(n.getName(), n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!warned) {
                    LOG.warn("store notifications interrupted ({}); polling until it is back", e.getMessage());
                    warned = true;
                }
                sleep(1000);
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (url.user() != null) {
            p.setProperty("user", url.user());
        }
        if (url.password() != null) {
            p.setProperty("password", url.password());
        }
        p.setProperty("connectTimeout", "3");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "vega4j-listener");
        return DriverManager.getConnection(url.jdbcUrl(), p);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

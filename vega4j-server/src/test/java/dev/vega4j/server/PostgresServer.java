package dev.vega4j.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: {@code initdb} into a fresh folder, {@code pg_ctl start} on a free loopback
 * port, trust authentication for user {@code vega}; {@link #stop()} / {@link #start()} restart it on the same data
 * (a store outage), {@link #close()} removes it. The binaries come from Debian's {@code postgresql} package
 * ({@code /usr/lib/postgresql/<version>/bin}, installed by {@code .ci/run}) or {@code $VEGA_PG_BIN}. PostgreSQL
 * refuses to run as root, so under root it runs as the {@code postgres} user the package creates.
 */
final class PostgresServer implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Creates a cluster and starts it. */
    static PostgresServer create() throws IOException, InterruptedException {
        Path bin = findBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("vega-pg");
        if (root) {
            UserPrincipal pg = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, pg);
        }
        PostgresServer s = new PostgresServer(bin, dir, freePort(), root);
        s.run(s.tool("initdb"), "-D", s.data.toString(), "-U", "vega", "--auth=trust", "-E", "UTF8", "--no-sync");
        s.start();
        return s;
    }

    private static Path findBin() {
        String env = System.getenv("VEGA_PG_BIN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path base = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(base)) {
            try (Stream<Path> versions = Files.list(base)) {
                var best = versions.filter(p -> Files.isExecutable(p.resolve("bin/pg_ctl")))
                        .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString()
                                .replaceAll("\\D.*", "0"))));
                if (best.isPresent()) {
                    return best.get().resolve("bin");
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("PostgreSQL's server binaries were not found in /usr/lib/postgresql/*/bin:"
                + " install them (apt-get install postgresql; .ci/run does) or set VEGA_PG_BIN");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private String tool(String name) {
        return bin.resolve(name).toString();
    }

    private void run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("commands.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: "
                    + Files.readString(dir.resolve("commands.log")));
        }
    }

    /** Starts (or restarts) the server on the same port and data. */
    void start() throws IOException, InterruptedException {
        run(tool("pg_ctl"), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -h 127.0.0.1 -k " + dir + " -c fsync=off -c synchronous_commit=off"
                        + " -c full_page_writes=off -c max_connections=200", "start");
    }

    /** Stops it the way a crash or an operator does: active connections are cut. */
    void stop() throws IOException, InterruptedException {
        run(tool("pg_ctl"), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    /** Empties the store's tables between tests (the schema stays). */
    void reset() throws java.sql.SQLException {
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "vega",
                ""); var st = c.createStatement()) {
            st.execute("TRUNCATE vega_jobs, vega_job_images, vega_credit_usage, vega_rate_buckets, vega_workers");
        }
    }

    String url() {
        return "postgresql://vega@127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                stop();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

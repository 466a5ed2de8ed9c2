package dev.vega4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.server.store.PgStore;
import dev.vega4j.server.store.StoreUnavailableException;
import dev.vega4j.server.store.WorkerRow;
import dev.vega4j.VegaException;
import dev.vega4j.pipeline.Pipeline;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vega serve}: Segmind's API, AUTOMATIC1111's and OpenAI's image routes, a web page, health and Prometheus
 * metrics over already-loaded {@link Pipeline}s keyed by model slug (e.g. {@code segmind-vega}).
 */
public final class VegaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VegaServer.class);
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final ServerConfig config;
    /** This process's engine; null on an api node of the shared store, which runs no model. */
    private final GenerationEngine engine;
    /** Where the APIs send jobs: the engine, or the shared store's queue; null on a worker-only node. */
    private final JobService jobs;
    private final CreditLedger quotas;
    /** The shared store's parts (null in the embedded default). */
    private final StoreSettings storeSettings;
    private final PgStore store;
    private final StoreJobs storeJobs;
    private final StoreWorker worker;
    private final StoreHousekeeping housekeeping;
    private final Metrics metrics = new Metrics();
    private final ObjectMapper json = JavalinJackson.defaultMapper();
    private final Javalin app;
    private final String host;
    private final String notice;
    private volatile boolean stopped;

    private VegaServer(ServerConfig config, Map<String, Pipeline> pipelines, RequestFeatures features,
            StoreSettings storeSettings) {
        for (String slug : pipelines.keySet()) {
            if (!SLUG.matcher(slug).matches() || slug.equals("requests") || slug.equals("images")) {
                throw new VegaException("model slug '" + slug + "' must be lower-case letters, digits, '.', '_' or"
                        + " '-' (and not 'requests' or 'images'), e.g. segmind-vega");
            }
        }
        this.config = config;
        if (!config.authRequired() && !isLoopback(config.host())) {
            host = "127.0.0.1";
            notice = "no API keys configured: listening on 127.0.0.1 only, not on " + config.host()
                    + " (set " + ApiKeys.ENV + " or --api-keys to serve other machines)";
        } else {
            host = config.host();
            notice = config.authRequired() ? config.keys().size() + " API key(s) configured"
                    : "no API keys configured: listening on loopback only";
        }
        ToLongFunction<String> quotaOf = key -> {
            long q = config.keys().quotaOf(key);
            return q == ApiKeys.DEFAULT_QUOTA ? config.defaultDailyQuota() : q;
        };
        for (String slug : features.promptWeighting().keySet()) {
            if (!pipelines.containsKey(slug)) {
                throw new VegaException("prompt weighting is set up for '" + slug + "', which is not a served model");
            }
        }
        this.storeSettings = storeSettings;
        RateLimit limiter;
        if (storeSettings == null) {
            this.store = null;
            this.storeJobs = null;
            this.worker = null;
            this.housekeeping = null;
            this.quotas = new QuotaStore(config.dataDir() == null ? null : config.dataDir().resolve("quotas.mv.db"),
                    quotaOf, Clock.systemUTC());
            this.engine = new GenerationEngine(pipelines, features, config.queueCapacity(), config.resultTtl(),
                    config.maxRetainedJobs(), metrics);
            this.jobs = engine;
            limiter = new RateLimiter(config.rateLimitPerMinute());
        } else {
            ServerRole role = storeSettings.role();
            this.store = PgStore.open(storeSettings.url(), storeSettings.lease(), 10);
            JobCodec codec = new JobCodec(json);
            StoreCredits credits = new StoreCredits(store, quotaOf, config.rateLimitPerMinute(), Clock.systemUTC());
            this.quotas = credits;
            limiter = credits;
            this.housekeeping = new StoreHousekeeping(store, storeSettings, config.resultTtl(), metrics);
            // a worker's engine runs one claimed job at a time and keeps no finished ones: the store has them
            this.engine = role.runsJobs() ? new GenerationEngine(pipelines, features, 1, config.resultTtl(), 0,
                    metrics) : null;
            this.worker = role.runsJobs() ? new StoreWorker(store, engine, codec, json, metrics, storeSettings,
                    config.shutdownGrace()) : null;
            this.storeJobs = role.takesRequests() ? new StoreJobs(store, codec, json, credits, config, storeSettings)
                    : null;
            this.jobs = storeJobs;
            if (storeJobs != null) {
                metrics.bind(storeJobs::queueDepth, storeJobs::countByState);
            }
        }
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.disableCompression();
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.jsonMapper(new JavalinJackson(json, false));
            cfg.jetty.modifyServer(server -> {
                server.setStopTimeout(5_000);
                server.setErrorHandler(quietErrors());
            });
            cfg.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(quietErrors()));
        });
        if (jobs != null) {
            Generations gen = new Generations(config, jobs, quotas, limiter);
            new SegmindApi(gen, json).register(app);
            new A1111Api(gen, json).register(app);
            new OpenAiApi(gen, json).register(app);
            app.get("/", this::page);
        }
        app.get("/health", this::health);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.render()));
        app.exception(ApiException.class, (e, ctx) -> error(ctx, e));
        app.exception(EngineException.class, (e, ctx) -> error(ctx, ApiException.of(e.failure())));
        app.exception(StoreUnavailableException.class, (e, ctx) -> error(ctx, 503, "store_unavailable",
                e.getMessage() + "; accepted jobs are kept, retry shortly", 5));
        app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
                Generations.reasonFor(e.getStatus()), e.getStatus() == 413
                        ? "the request body is larger than the server's limit of " + config.maxBodyBytes() + " bytes"
                        : e.getMessage(), 0));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal_error", "internal server error (details are in the server log)", 0);
        });
        app.error(404, ctx -> {
            if (ctx.result() == null) {
                error(ctx, 404, "not_found", "no route " + ctx.method() + " " + ctx.path(), 0);
            }
        });
        app.after(ctx -> metrics.response(ctx.status().getCode()));
    }

    /**
     * Jetty's own error pages (malformed HTTP, errors that escape Javalin) without stack traces or servlet names:
     * nothing internal reaches a client.
     */
    private static ErrorHandler quietErrors() {
        ErrorHandler h = new ErrorHandler();
        h.setShowStacks(false);
        h.setShowServlet(false);
        h.setShowMessageInTitle(false);
        return h;
    }

    /** Starts serving; the port is {@link #port()} (useful with port 0). */
    public static VegaServer start(ServerConfig config, Map<String, Pipeline> pipelines) {
        return start(config, pipelines, RequestFeatures.NONE);
    }

    /**
     * Starts serving with per-request LoRA adapters and/or AUTOMATIC1111 prompt handling ({@link RequestFeatures});
     * the pipelines of {@code features.promptWeighting()} share their models with {@code pipelines} and are not
     * closed by {@link #stop()} (closing the served pipelines frees the models).
     */
    public static VegaServer start(ServerConfig config, Map<String, Pipeline> pipelines, RequestFeatures features) {
        return start(config, pipelines, features, null);
    }

    /**
     * Starts a node of the shared store ({@code vega serve --store}) when {@code store} is given: an api node
     * ({@code pipelines} empty) serves every route over the store's queue, a worker runs the store's jobs on
     * {@code pipelines} (its HTTP port serves /health and /metrics only), {@code all} does both. Null = embedded.
     */
    public static VegaServer start(ServerConfig config, Map<String, Pipeline> pipelines, RequestFeatures features,
            StoreSettings store) {
        VegaServer s = new VegaServer(config, pipelines, features, store);
        try {
            s.app.start(s.host, config.port());
        } catch (RuntimeException e) {
            if (s.worker != null) {
                s.worker.close();
            }
            if (s.engine != null) {
                s.engine.shutdown(java.time.Duration.ZERO);
            }
            s.closeStores();
            throw new VegaException("cannot listen on " + s.host + ":" + config.port() + ": " + rootMessage(e), e);
        }
        LOG.info("vega server on http://{}:{} with {}; {}", s.host, s.port(), pipelines.keySet(), s.notice);
        return s;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public int port() {
        return app.port();
    }

    /** The address actually bound (loopback when no keys are configured). */
    public String host() {
        return host;
    }

    /** One line about how the server is exposed, for the console. */
    public String notice() {
        return notice;
    }

    /** This process's engine; null on an api node of the shared store. */
    public GenerationEngine engine() {
        return engine;
    }

    /** The id this node's worker registered with in the shared store, or null. */
    public String workerId() {
        return worker == null ? null : worker.id();
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Idle timeout of the HTTP connector, for tests and tuning. */
    void idleTimeout(long millis) {
        for (var c : app.jettyServer().server().getConnectors()) {
            if (c instanceof ServerConnector sc) {
                sc.setIdleTimeout(millis);
            }
        }
    }

    private void error(Context ctx, ApiException e) {
        error(ctx, e.status(), e.reason(), e.getMessage(), e.retryAfterSeconds());
    }

    private void error(Context ctx, int status, String reason, String message, int retryAfter) {
        if (retryAfter > 0) {
            ctx.header("Retry-After", Integer.toString(retryAfter));
        }
        ObjectNode body = json.createObjectNode();
        if (ctx.path().startsWith("/v1/images/")) {
            // OpenAI's error shape, which its SDKs parse.
            ObjectNode e = body.putObject("error");
            e.put("message", message);
            e.put("type", status >= 500 ? "server_error" : "invalid_request_error");
            e.putNull("param");
            e.put("code", reason);
        } else {
            body.put("error", reason);
            body.put("message", message);
            body.put("detail", message);
            body.put("status", status);
        }
        ctx.status(status).json(body);
    }

    private void health(Context ctx) {
        ObjectNode out = json.createObjectNode();
        if (storeSettings == null) {
            boolean up = engine.isAccepting();
            out.put("status", up ? "ok" : "shutting_down");
            out.putPOJO("models", engine.pipelines().keySet());
            out.put("queue_depth", engine.queueDepth());
            out.put("busy", engine.current().isPresent());
            out.put("auth", config.authRequired());
            ctx.status(up ? 200 : 503).json(out);
            return;
        }
        boolean up = !stopped;
        String down = null;
        out.put("role", storeSettings.role().label());
        out.put("store", store.url().display());
        try {
            Map<PgStore.State, Integer> states = store.countByState();
            out.put("queue_depth", states.getOrDefault(PgStore.State.QUEUED, 0));
            out.put("running", states.getOrDefault(PgStore.State.PROCESSING, 0));
            ArrayNode ws = out.putArray("workers");
            int live = 0;
            for (WorkerRow w : store.workers()) {
                if (w.live()) {
                    live++;
                    ObjectNode o = ws.addObject();
                    o.put("id", w.id());
                    o.put("host", w.host());
                    o.set("models", json.readTree(w.models()));
                    o.put("busy_job", w.busyJob());
                    o.put("heartbeat_age_ms", w.heartbeatAgeMillis());
                }
            }
            out.put("live_workers", live);
        } catch (StoreUnavailableException | IOException e) {
            down = e.getMessage();
        }
        out.put("store_status", down == null ? "ok" : "unavailable");
        if (down != null) {
            out.put("message", down);
        }
        out.putPOJO("models", jobs != null ? jobs.models().keySet() : engine.models().keySet());
        if (worker != null) {
            out.put("worker_id", worker.id());
            out.put("busy", engine.current().isPresent());
        }
        out.put("auth", config.authRequired());
        out.put("status", !up ? "shutting_down" : down != null ? "store_unavailable" : "ok");
        ctx.status(up && down == null ? 200 : 503).json(out);
    }

    private void page(Context ctx) throws IOException {
        byte[] html;
        try (InputStream in = VegaServer.class.getResourceAsStream("index.html")) {
            if (in == null) {
                throw new IllegalStateException("index.html missing from the server jar");
            }
            html = in.readAllBytes();
        }
        String page = new String(html, StandardCharsets.UTF_8)
                .replace("__AUTH_REQUIRED__", Boolean.toString(config.authRequired()));
        ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:;"
                + " style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    /**
     * Graceful stop: no new jobs, queued ones run for up to the configured grace, then the rest fail with a message
     * (their waiting clients get 503); then HTTP stops and the quota store is closed.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (worker != null) {
            worker.close(); // finishes or hands back its job first
        }
        if (engine != null) {
            engine.shutdown(config.shutdownGrace());
        }
        app.stop();
        closeStores();
        if (engine != null) {
            for (Pipeline p : engine.pipelines().values()) {
                try {
                    p.close();
                } catch (Exception e) {
                    LOG.warn("closing a pipeline failed: {}", e.toString());
                }
            }
        }
    }

    /** Closes the quota store and the shared store's parts. */
    private void closeStores() {
        if (storeJobs != null) {
            storeJobs.close();
        }
        if (housekeeping != null) {
            housekeeping.close();
        }
        quotas.close();
        if (store != null) {
            store.close();
        }
    }

    @Override
    public void close() {
        stop();
    }
}

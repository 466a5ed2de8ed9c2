package dev.vega4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    private final GenerationEngine engine;
    private final QuotaStore quotas;
    private final Metrics metrics = new Metrics();
    private final ObjectMapper json = JavalinJackson.defaultMapper();
    private final Javalin app;
    private final String host;
    private final String notice;
    private volatile boolean stopped;

    private VegaServer(ServerConfig config, Map<String, Pipeline> pipelines, RequestFeatures features) {
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
        this.quotas = new QuotaStore(config.dataDir() == null ? null : config.dataDir().resolve("quotas.mv.db"),
                key -> {
                    long q = config.keys().quotaOf(key);
                    return q == ApiKeys.DEFAULT_QUOTA ? config.defaultDailyQuota() : q;
                }, Clock.systemUTC());
        for (String slug : features.promptWeighting().keySet()) {
            if (!pipelines.containsKey(slug)) {
                throw new VegaException("prompt weighting is set up for '" + slug + "', which is not a served model");
            }
        }
        this.engine = new GenerationEngine(pipelines, features, config.queueCapacity(), config.resultTtl(),
                config.maxRetainedJobs(), metrics);
        Generations gen = new Generations(config, engine, quotas);
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
        new SegmindApi(gen, json).register(app);
        new A1111Api(gen, json).register(app);
        new OpenAiApi(gen, json).register(app);
        app.get("/", this::page);
        app.get("/health", this::health);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.render()));
        app.exception(ApiException.class, (e, ctx) -> error(ctx, e));
        app.exception(EngineException.class, (e, ctx) -> error(ctx, ApiException.of(e.failure())));
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
        VegaServer s = new VegaServer(config, pipelines, features);
        try {
            s.app.start(s.host, config.port());
        } catch (RuntimeException e) {
            s.engine.shutdown(java.time.Duration.ZERO);
            s.quotas.close();
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

    public GenerationEngine engine() {
        return engine;
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
        boolean up = engine.isAccepting();
        out.put("status", up ? "ok" : "shutting_down");
        out.putPOJO("models", engine.pipelines().keySet());
        out.put("queue_depth", engine.queueDepth());
        out.put("busy", engine.current().isPresent());
        out.put("auth", config.authRequired());
        ctx.status(up ? 200 : 503).json(out);
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
        engine.shutdown(config.shutdownGrace());
        app.stop();
        quotas.close();
        for (Pipeline p : engine.pipelines().values()) {
            try {
                p.close();
            } catch (Exception e) {
                LOG.warn("closing a pipeline failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}

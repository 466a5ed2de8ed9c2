package dev.vega4j.cli;

import dev.vega4j.VegaException;
import dev.vega4j.hub.DownloadListener;
import dev.vega4j.hub.HubCache;
import dev.vega4j.lora.LoraAdapter;
import dev.vega4j.lora.LoraSource;
import dev.vega4j.lora.LoraSpec;
import dev.vega4j.lora.Loras;
import dev.vega4j.lora.VegaRt;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.PipelineSource;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.prompt.WeightedPromptEncoder;
import dev.vega4j.server.ApiKeys;
import dev.vega4j.server.LoraLibrary;
import dev.vega4j.server.RequestFeatures;
import dev.vega4j.pipeline.Autoencoders;
import dev.vega4j.pipeline.LatentAutoencoder;
import dev.vega4j.server.ServerConfig;
import dev.vega4j.server.ServerRole;
import dev.vega4j.server.StoreSettings;
import dev.vega4j.server.store.StoreUrl;
import dev.vega4j.server.VegaServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vega serve}: the HTTP server (Segmind, AUTOMATIC1111 and OpenAI APIs, web page) over loaded models. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve models over HTTP: Segmind's API (/v1/<model>, async /v2/<model>), AUTOMATIC1111's"
                + " /sdapi/v1/*, OpenAI's /v1/images/generations, a web page at /, /health and /metrics.",
                "Without API keys the server listens on 127.0.0.1 only."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, paramLabel = "[SLUG=]MODEL",
            description = "Model to load: a Hugging Face id or a local folder/file, optionally named with SLUG= (the"
                    + " URL name; default: derived from the model, e.g. segmind/Segmind-Vega -> segmind-vega)."
                    + " Repeatable; the first is the default model. Default: ${DEFAULT-VALUE}.",
            defaultValue = "segmind/Segmind-Vega")
    List<String> models = new ArrayList<>();

    @Option(names = "--config", paramLabel = "[SLUG=]DIR_OR_ID",
            description = "Configs for a single-file model (-m name=model.safetensors) instead of the bundled real-size"
                    + " ones: a diffusers folder or Hub repo, which also supplies the VAE and text encoders of a"
                    + " UNet-only file. With SLUG= for that model only, else for every single-file model.")
    List<String> configs = new ArrayList<>();

    @Option(names = "--lora", paramLabel = "ID_OR_PATH[:WEIGHT] | NAME=ID_OR_PATH",
            description = "ID_OR_PATH[:WEIGHT]: a LoRA adapter fused into every served model at start-up (repeatable):"
                    + " a .safetensors file, a folder or a Hub repo id, with an optional weight (default 1)."
                    + " NAME=ID_OR_PATH: an adapter requests may apply by that name (like the files of --lora-dir).")
    List<String> loras = new ArrayList<>();

    @Option(names = "--vae", paramLabel = "NAME=ID_OR_PATH",
            description = "An autoencoder requests may decode with by that name (Segmind field \"vae\": \"NAME\"):"
                    + " an AutoencoderKL or AutoencoderTiny diffusers folder or Hub repo id (repeatable).")
    List<String> vaes = new ArrayList<>();

    @Option(names = "--lora-dir", paramLabel = "DIR",
            description = "Folder of LoRA adapters requests may apply (repeatable): every *.safetensors in it and its"
                    + " sub-folders, named by its file stem (Segmind field \"lora\": \"name:0.8\", A1111"
                    + " <lora:name:0.8> in the prompt, GET /sdapi/v1/loras). Requests can name nothing else.")
    List<Path> loraDirs = new ArrayList<>();

    @Option(names = "--lora-cache", defaultValue = "4", paramLabel = "N",
            description = "Per-request LoRA adapters kept loaded at once (default: ${DEFAULT-VALUE}).")
    int loraCache;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "vegart: serve Segmind VegaRT - the first model (default segmind/Segmind-Vega) with the"
                    + " LCM-LoRA " + VegaRt.LORA_REPO + " fused, as '" + VegaRt.SLUG + "' (POST /v1/" + VegaRt.SLUG
                    + ": LCM, " + VegaRt.STEPS + " steps by default, " + VegaRt.MIN_STEPS + "-" + VegaRt.MAX_STEPS
                    + " allowed, guidance 1).")
    String preset;

    @Option(names = "--vegart-lora", paramLabel = "ID_OR_PATH", defaultValue = VegaRt.LORA_REPO,
            description = "Where --preset vegart takes the VegaRT LoRA from: a Hub repo id or a local .safetensors"
                    + " file or folder (default: ${DEFAULT-VALUE}).")
    String vegartLora;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--api-keys", paramLabel = "FILE",
            description = "File of API keys, one 'key [daily-quota]' per line. Also read: $" + ApiKeys.ENV
                    + " = key1,key2:quota.")
    Path apiKeys;

    @Option(names = "--quota-per-day", defaultValue = "0",
            description = "Daily images per key for keys without their own quota (0 = unlimited).")
    long quotaPerDay;

    @Option(names = "--data-dir", description = "Where quotas are kept (default: ~/.vega4j/server).")
    Path dataDir;

    @Option(names = "--queue", defaultValue = "16", description = "Jobs that may wait behind the running one.")
    int queue;

    @Option(names = "--result-ttl", defaultValue = "30",
            description = "Minutes async results stay retrievable (default: ${DEFAULT-VALUE}).")
    long resultTtlMinutes;

    @Option(names = "--max-body-mb", defaultValue = "16", description = "Largest request body in MiB.")
    int maxBodyMb;

    @Option(names = "--max-side", defaultValue = "2048", description = "Largest image width/height in pixels.")
    int maxSide;

    @Option(names = "--max-steps", defaultValue = "150", description = "Most denoising steps per request.")
    int maxSteps;

    @Option(names = "--rate-limit", defaultValue = "0", description = "Requests per key per minute (0 = no limit).")
    int rateLimit;

    @Option(names = "--shutdown-grace", defaultValue = "30",
            description = "Seconds queued jobs may run after Ctrl-C before they are failed.")
    long shutdownGrace;

    @Option(names = "--store", paramLabel = "URL",
            description = "Scale out over a shared PostgreSQL store: postgresql://user:pass@host:port/db (or"
                    + " jdbc:postgresql://...; the password may come from $" + StoreUrl.PASSWORD_ENV + "). Jobs,"
                    + " results, credits and rate limits then live there; api nodes and workers are added with --role.")
    String store;

    @Option(names = "--role", defaultValue = "all", paramLabel = "all|api|worker",
            description = "With --store: api (take requests, load no model), worker (load the models, run jobs; its"
                    + " port, any free one unless -p is given, serves /health and /metrics) or all (both; default).")
    String role;

    @Option(names = "--lease", defaultValue = "15", paramLabel = "SECONDS",
            description = "With --store: how long a worker's job survives without a heartbeat before it is requeued.")
    int leaseSeconds;

    @Option(names = "--sync-timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "With --store: how long a synchronous request waits for its job before it is cancelled (504).")
    int syncTimeoutSeconds;

    @Spec
    CommandSpec spec;

    /** The shared store's settings, or null without {@code --store}. */
    StoreSettings storeSettings() {
        if (store == null) {
            if (!"all".equalsIgnoreCase(role.strip())) {
                throw new VegaException("--role " + role + " needs --store URL (a shared PostgreSQL store)");
            }
            return null;
        }
        StoreUrl url = StoreUrl.parse(store, System.getenv(StoreUrl.PASSWORD_ENV));
        if (leaseSeconds < 2 || syncTimeoutSeconds < 1) {
            throw new VegaException("--lease must be at least 2 seconds and --sync-timeout at least 1");
        }
        return new StoreSettings(url, ServerRole.parse(role), Duration.ofSeconds(leaseSeconds),
                StoreSettings.DEFAULT_MAX_ATTEMPTS, Duration.ofSeconds(syncTimeoutSeconds));
    }

    private boolean given(String option) {
        return spec != null && spec.commandLine() != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    ServerConfig config() {
        ApiKeys keys = apiKeys != null ? ApiKeys.load(apiKeys) : ApiKeys.none();
        String env = System.getenv(ApiKeys.ENV);
        if (env != null && !env.isBlank()) {
            Map<String, Long> merged = new LinkedHashMap<>();
            for (String k : keys.keys()) {
                merged.put(k, keys.quotaOf(k));
            }
            ApiKeys fromEnv = ApiKeys.parseList(env);
            for (String k : fromEnv.keys()) {
                merged.put(k, fromEnv.quotaOf(k));
            }
            keys = ApiKeys.of(merged);
        }
        Path data = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".vega4j", "server");
        return ServerConfig.builder().host(host).port(port).keys(keys).defaultDailyQuota(quotaPerDay).dataDir(data)
                .queueCapacity(queue).resultTtl(Duration.ofMinutes(resultTtlMinutes))
                .maxBodyBytes((long) maxBodyMb << 20).maxSide(maxSide).maxSteps(maxSteps)
                .rateLimitPerMinute(rateLimit).shutdownGrace(Duration.ofSeconds(shutdownGrace)).build();
    }

    /** {@code slug -> model id or path}, in the order given. */
    Map<String, String> modelSpecs() {
        Map<String, String> out = new LinkedHashMap<>();
        boolean vegaRt = vegaRt();
        for (String spec : models) {
            int eq = spec.indexOf('=');
            String slug = eq > 0 ? spec.substring(0, eq) : vegaRt && out.isEmpty() ? VegaRt.SLUG : slugOf(spec);
            String model = eq > 0 ? spec.substring(eq + 1) : spec;
            if (out.put(slug, model) != null) {
                throw new VegaException("two models are named '" + slug + "'; name them with SLUG=MODEL");
            }
        }
        return out;
    }

    /** The {@code --config} of a model: its own ({@code SLUG=DIR_OR_ID}), else one without a slug, else null. */
    String configsFor(String slug) {
        String any = null;
        for (String c : configs) {
            int eq = c.indexOf('=');
            String named = eq > 0 ? c.substring(0, eq).strip() : null;
            if (named != null && modelSpecs().containsKey(named)) {
                if (named.equals(slug)) {
                    return c.substring(eq + 1).strip();
                }
            } else {
                any = c.strip();
            }
        }
        return any;
    }

    /** True for a local file (a single-file checkpoint); anything else, or nothing, is for {@link #load} to report. */
    static boolean isLocalFile(String model) {
        try {
            return HubCache.localPath(model).map(java.nio.file.Files::isRegularFile).orElse(false);
        } catch (VegaException e) {
            return false;
        }
    }

    /** True for {@code --preset vegart}; an unknown preset is refused. */
    boolean vegaRt() {
        if (preset == null) {
            return false;
        }
        if (!preset.strip().equalsIgnoreCase("vegart")) {
            throw new VegaException("unknown preset '" + preset + "' (known: vegart)");
        }
        return true;
    }

    /** The adapters to fuse: VegaRT's LoRA first with {@code --preset vegart}, then every {@code --lora}. */
    List<LoraSpec> loraSpecs() {
        List<LoraSpec> specs = new ArrayList<>();
        if (vegaRt()) {
            specs.add(new LoraSpec(vegartLora, 1f));
        }
        loras.stream().filter(l -> namedLora(l) == null).map(LoraSpec::parse).forEach(specs::add);
        return specs;
    }

    /** {@code NAME=ID_OR_PATH} split in two, or null for an adapter to fuse ({@code ID_OR_PATH[:WEIGHT]}). */
    static String[] namedLora(String arg) {
        int eq = arg.indexOf('=');
        if (eq <= 0) {
            return null;
        }
        String name = arg.substring(0, eq).strip();
        return LoraLibrary.validName(name) ? new String[] {name, arg.substring(eq + 1).strip()} : null;
    }

    /** The adapters requests may name: {@code --lora-dir} folders and {@code --lora NAME=ID_OR_PATH}. */
    LoraLibrary loraLibrary(HubCache hub) {
        LoraLibrary.Builder b = LoraLibrary.builder().cacheSize(loraCache);
        loraDirs.forEach(b::addDir);
        for (String l : loras) {
            String[] named = namedLora(l);
            if (named != null) {
                b.add(named[0], LoraSource.resolve(named[1], hub, DownloadListener.NONE));
            }
        }
        return b.build();
    }

    /** The {@code --vae NAME=ID_OR_PATH} autoencoders, loaded, by name. */
    Map<String, LatentAutoencoder> autoencoders() {
        Map<String, LatentAutoencoder> out = new LinkedHashMap<>();
        for (String v : vaes) {
            int eq = v.indexOf('=');
            String name = eq > 0 ? v.substring(0, eq).strip() : "";
            if (!LoraLibrary.validName(name) || v.substring(eq + 1).isBlank()) {
                throw new VegaException("--vae takes NAME=ID_OR_PATH (a name of letters, digits, '.', '_', '-'), got '"
                        + v + "'");
            }
            System.out.println("loading autoencoder " + v.substring(eq + 1).strip() + " as '" + name + "' ...");
            out.put(name, Autoencoders.load(v.substring(eq + 1).strip()));
        }
        return out;
    }

    /** {@code segmind/Segmind-Vega} -> {@code segmind-vega}; {@code /models/sdxl-1.0.safetensors} -> {@code sdxl-1.0}. */
    static String slugOf(String model) {
        String s = model.replace('\\', '/');
        s = s.substring(s.lastIndexOf('/') + 1);
        s = s.replaceAll("(?i)\\.(safetensors|ckpt|bin|pt)$", "");
        s = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
        return s.isEmpty() ? "model" : s;
    }

    @Override
    public Integer call() throws InterruptedException {
        StoreSettings storeSettings = storeSettings();
        if (storeSettings != null && storeSettings.role() == ServerRole.WORKER && !given("--port")) {
            port = 0; // several workers on one machine need no ports of their own
        }
        ServerConfig config = config();
        if (storeSettings != null && !storeSettings.role().runsJobs()) {
            if (given("--model") || given("--lora") || given("--lora-dir") || given("--preset")) {
                throw new VegaException("an api node (--role api) loads no model: drop -m/--lora/--lora-dir/--preset;"
                        + " the workers load them and register what they serve in the store");
            }
            models = List.of();
        }
        Map<String, Pipeline> pipelines = new LinkedHashMap<>();
        List<LoraSpec> loraSpecs = loraSpecs();
        HubCache hub = HubCache.fromEnvironment();
        LoraLibrary library = loraLibrary(hub);
        Map<String, LatentAutoencoder> autoencoders = autoencoders();
        List<LoraAdapter> adapters = loraSpecs.isEmpty() ? List.of()
                : Loras.load(loraSpecs, hub, DownloadListener.NONE);
        Map<String, Pipeline> weighted = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : modelSpecs().entrySet()) {
                System.out.println("loading " + e.getValue() + " as '" + e.getKey() + "' ...");
                String cfg = isLocalFile(e.getValue()) ? configsFor(e.getKey()) : null;
                Pipeline p = load(e.getValue(), cfg);
                pipelines.put(e.getKey(), p);
                if (!adapters.isEmpty()) {
                    if (p.adaptableModules().isEmpty()) {
                        throw new VegaException("--lora needs diffusers pipelines; " + e.getValue() + " is not one");
                    }
                    Loras.fuse(p, loraSpecs, adapters, false);
                    System.out.println("fused LoRA " + loraSpecs + " into '" + e.getKey() + "'");
                }
                Pipeline w = promptWeighting(p, e.getValue(), cfg);
                if (w != null) {
                    weighted.put(e.getKey(), w);
                }
            }
        } catch (RuntimeException e) {
            pipelines.values().forEach(Pipeline::close);
            throw e;
        }
        VegaServer server = VegaServer.start(config, pipelines, new RequestFeatures(library, weighted, autoencoders),
                storeSettings);
        System.out.println("vega server listening on http://" + server.host() + ":" + server.port() + "/  models: "
                + (pipelines.isEmpty() ? "(those of the store's live workers)" : String.join(", ", pipelines.keySet()))
                + (storeSettings == null ? "" : "  role: " + storeSettings.role().label() + "  store: "
                        + storeSettings.url().display()));
        if (!library.isEmpty()) {
            System.out.println("LoRA adapters for requests: " + String.join(", ", library.names()));
        }
        System.out.println(server.notice());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("shutting down: finishing queued jobs (up to " + shutdownGrace + " s) ...");
            server.stop();
            stopped.countDown();
        }, "vega-serve-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * The model with AUTOMATIC1111's prompt handling (sharing every weight; only the tokenizers are read again), for
     * {@code prompt_weighting} and the A1111 routes; null when the model is no diffusers folder.
     */
    static Pipeline promptWeighting(Pipeline p, String model, String configs) {
        if (!(p instanceof DiffusionPipeline dp)) {
            return null;
        }
        try (PipelineSource source = Pipelines.open(model, configs, DownloadListener.NONE)) {
            return WeightedPromptEncoder.enable(dp, source, WeightedPromptEncoder.Options.A1111);
        } catch (VegaException e) {
            System.out.println("prompt weighting is not available for " + model + ": " + e.getMessage());
            return null;
        }
    }

    static Pipeline load(String model, String configs) {
        return Pipelines.load(model, configs, DownloadListener.NONE);
    }
}

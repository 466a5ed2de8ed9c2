package dev.vega4j.cli;

import dev.vega4j.VegaException;
import dev.vega4j.hub.HubCache;
import dev.vega4j.hub.HubConfig;
import dev.vega4j.hub.RepoId;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vega download}: fetches a diffusers pipeline from the Hugging Face Hub into the cache huggingface_hub uses,
 * so {@code diffusers} in Python and vega4j share one copy. Prints the snapshot folder.
 */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download a diffusers model from the Hugging Face Hub into the Hugging Face cache "
                + "(shared with Python's huggingface_hub/diffusers) and print its folder.",
            "Only what a pipeline needs: model_index.json, each component's configs and tokenizer files, and "
                + "safetensors weights (the variant when the repo has it). Interrupted downloads resume.",
            "Environment: HF_HUB_CACHE / HF_HOME (cache), HF_TOKEN (gated/private repos), HF_ENDPOINT (mirror), "
                + "HF_HUB_OFFLINE=1 (cache only)."})
final class DownloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REPO_ID", description = "Hub repo id, e.g. segmind/Segmind-Vega.")
    String repo;

    @Option(names = "--revision", defaultValue = HubCache.DEFAULT_REVISION,
            description = "Branch, tag or commit (default: ${DEFAULT-VALUE}).")
    String revision;

    @Option(names = "--variant", defaultValue = HubCache.DEFAULT_VARIANT,
            description = "Weights variant to prefer where the repo has it (default: ${DEFAULT-VALUE}); "
                    + "'none' for the full-precision files.")
    String variant;

    @Option(names = "--all", description = "Every file of the repo, not only what a pipeline needs.")
    boolean all;

    @Option(names = "--cache-dir", description = "Hugging Face hub cache folder (default: $HF_HUB_CACHE, "
            + "$HF_HOME/hub or ~/.cache/huggingface/hub).")
    Path cacheDir;

    @Option(names = {"-q", "--quiet"}, description = "No progress output; only the folder.")
    boolean quiet;

    /** Tests inject a config instead of the process environment. */
    HubConfig config;
    Boolean terminal;

    @Override
    public Integer call() {
        if (isLocalPath(repo)) {
            // RepoId's message ("neither a local model folder ... nor a repo id") would be false here
            throw new VegaException("'" + repo + "' is a local path, not a Hugging Face repo id: there is nothing to "
                    + "download (pass the folder to --model as it is)");
        }
        HubConfig cfg = config != null ? config : HubConfig.fromEnvironment();
        if (cacheDir != null) {
            cfg = cfg.withCacheDir(cacheDir);
        }
        var err = spec.commandLine().getErr();
        var listener = quiet ? dev.vega4j.hub.DownloadListener.NONE
                : new DownloadProgress(err, terminal != null ? terminal : ProgressBar.isTerminal());
        String v = variant == null || variant.isBlank() || variant.equalsIgnoreCase("none") ? null : variant;
        Path snapshot = new HubCache(cfg).snapshot(new RepoId(repo), revision, v, all, listener);
        var out = spec.commandLine().getOut();
        out.println(snapshot.toAbsolutePath());
        out.flush();
        return 0;
    }

    private static boolean isLocalPath(String arg) {
        try {
            return Files.exists(Path.of(arg));
        } catch (InvalidPathException e) {
            return false;
        }
    }
}

package dev.vega4j.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Turns what a user typed after {@code --model} into a local folder or file, downloading from the Hugging Face Hub
 * into the cache that huggingface_hub uses (so Python and vega4j share their downloads):
 * <ul>
 *   <li>an existing folder (a diffusers pipeline) or {@code .safetensors} file is used as is;</li>
 *   <li>otherwise it is a repo id, {@code org/name} or {@code org/name@revision}: the snapshot folder of that
 *       revision, with the files a pipeline needs fetched first when missing (huggingface_hub
 *       {@code snapshot_download} + diffusers {@code DiffusionPipeline.download}).</li>
 * </ul>
 * Offline ({@code HF_HUB_OFFLINE}), or when the Hub cannot be reached, a revision already in the cache is used.
 */
public final class HubCache {
    public static final String DEFAULT_REVISION = "main";
    /** Half the download and the same images once upcast to fp32; repos without fp16 files fall back to the plain ones. */
    public static final String DEFAULT_VARIANT = "fp16";
    private static final int MAX_ATTEMPTS = 5;

    private final HubConfig config;
    private final HubClient client;

    public HubCache(HubConfig config) {
        this.config = config;
        this.client = new HubClient(config);
    }

    public static HubCache fromEnvironment() {
        return new HubCache(HubConfig.fromEnvironment());
    }

    public HubConfig config() {
        return config;
    }

    /** {@link #resolve(String, DownloadListener)} without progress reports. */
    public Path resolve(String modelIdOrPath) {
        return resolve(modelIdOrPath, DownloadListener.NONE);
    }

    /** A local pipeline folder or {@code .safetensors} file for a path or a repo id (see the class comment). */
    public Path resolve(String modelIdOrPath, DownloadListener listener) {
        Optional<Path> local = localPath(modelIdOrPath);
        if (local.isPresent()) {
            return local.get();
        }
        RepoRevision r = RepoRevision.parse(modelIdOrPath);
        return snapshot(r.repo(), r.revision(), DEFAULT_VARIANT, false, listener);
    }

    /**
     * An existing local model, or empty for something that may be a repo id. Something that can only be a path
     * (absolute, {@code ./}, {@code ~}, a {@code .safetensors} name, more than one {@code /}) but does not exist fails.
     */
    public static Optional<Path> localPath(String s) {
        if (s == null || s.isBlank()) {
            throw new HubException(HubException.Reason.INVALID, "no model given");
        }
        String t = s.strip();
        Path p;
        try {
            p = t.equals("~") || t.startsWith("~/") ? Path.of(System.getProperty("user.home") + t.substring(1))
                    : Path.of(t);
        } catch (InvalidPathException e) {
            p = null;
        }
        if (p != null && Files.isDirectory(p)) {
            return Optional.of(p);
        }
        String lower = t.toLowerCase(Locale.ROOT);
        if (p != null && Files.isRegularFile(p)) {
            if (lower.endsWith(".safetensors")) {
                return Optional.of(p);
            }
            throw new HubException(HubException.Reason.INVALID, t + " is not a .safetensors file or a diffusers folder"
                    + (lower.endsWith(".ckpt") || lower.endsWith(".bin") || lower.endsWith(".pt")
                            ? " (pickled PyTorch checkpoints are not loaded: they can run code; convert to safetensors)"
                            : ""));
        }
        boolean pathLike = t.startsWith("/") || t.startsWith(".") || t.startsWith("~") || t.contains("\\")
                || lower.endsWith(".safetensors") || t.chars().filter(c -> c == '/').count() > 1
                || (p != null && p.isAbsolute());
        if (pathLike || !RepoId.isValid(t.replaceFirst("@[^@/]+$", ""))) {
            throw new HubException(pathLike ? HubException.Reason.NOT_FOUND : HubException.Reason.INVALID,
                    pathLike ? "model path not found: " + t
                            : "'" + t + "' is neither an existing model folder/.safetensors file nor a Hugging Face "
                                    + "repo id (like segmind/Segmind-Vega)");
        }
        return Optional.empty();
    }

    /**
     * The snapshot folder of {@code repo} at {@code revision}, downloading what is missing.
     *
     * @param variant weights variant to prefer (null = plain weights)
     * @param all     every file of the repo instead of only what a diffusers pipeline needs
     */
    public Path snapshot(RepoId repo, String revision, String variant, boolean all, DownloadListener listener) {
        return snapshot(repo, revision, listener, (layout, commit, repoFiles) ->
                all ? repoFiles : pipelineFiles(layout, repo, commit, repoFiles, variant));
    }

    /**
     * Like {@link #resolve(String, DownloadListener)}, but of a repo only the configs and tokenizer files of its
     * pipeline (no weights): what a single-file checkpoint needs from its model's repo.
     */
    public Path resolveConfigs(String modelIdOrPath, DownloadListener listener) {
        Optional<Path> local = localPath(modelIdOrPath);
        if (local.isPresent()) {
            return local.get();
        }
        RepoRevision r = RepoRevision.parse(modelIdOrPath);
        return snapshot(r.repo(), r.revision(), listener, (layout, commit, repoFiles) ->
                pipelineFiles(layout, r.repo(), commit, repoFiles, null).stream()
                        .filter(f -> PipelineFiles.weightsVariant(f.substring(f.lastIndexOf('/') + 1)) == null)
                        .toList());
    }

    /** The files of a diffusers pipeline's components (read from its model_index.json, fetched first). */
    private List<String> pipelineFiles(CacheLayout layout, RepoId repo, String commit, List<String> repoFiles,
            String variant) throws IOException {
        if (!repoFiles.contains(PipelineFiles.MODEL_INDEX)) {
            throw new HubException(HubException.Reason.NOT_FOUND, repo + " is not a diffusers pipeline (it "
                    + "has no model_index.json): download one of its .safetensors files and pass that path, "
                    + "or use 'vega download --all'");
        }
        fetch(layout, repo, commit, List.of(PipelineFiles.MODEL_INDEX), DownloadListener.NONE);
        Set<String> components = PipelineFiles.components(
                Files.readAllBytes(layout.pointer(commit, PipelineFiles.MODEL_INDEX)));
        return PipelineFiles.select(repoFiles, components, variant);
    }

    /**
     * Like {@link #resolve(String, DownloadListener)} for one diffusers model rather than a pipeline (a repo such as
     * {@code madebyollin/taesdxl}: {@code config.json} and its weights at the top level): a local folder or file as
     * is, else the snapshot with the top-level {@code .json} files and the plain {@code .safetensors} weights.
     */
    public Path resolveModel(String modelIdOrPath, DownloadListener listener) {
        Optional<Path> local = localPath(modelIdOrPath);
        if (local.isPresent()) {
            return local.get();
        }
        RepoRevision r = RepoRevision.parse(modelIdOrPath);
        RepoId repo = r.repo();
        return snapshot(repo, r.revision(), listener, (layout, commit, repoFiles) -> {
            if (!repoFiles.contains("config.json")) {
                throw new HubException(HubException.Reason.NOT_FOUND, repo + " is not a diffusers model (it has no "
                        + "top-level config.json)");
            }
            return repoFiles.stream().filter(f -> f.indexOf('/') < 0 && (f.endsWith(".json")
                    || "".equals(PipelineFiles.weightsVariant(f)))).toList();
        });
    }

    /** {@code org/name[@revision]}: the revision defaults to {@link #DEFAULT_REVISION}. */
    private record RepoRevision(RepoId repo, String revision) {
        static RepoRevision parse(String idAndRevision) {
            String id = idAndRevision.strip();
            int at = id.lastIndexOf('@');
            return at > 0 ? new RepoRevision(new RepoId(id.substring(0, at)), id.substring(at + 1))
                    : new RepoRevision(new RepoId(id), DEFAULT_REVISION);
        }
    }

    /** Which files of a revision to fetch; may fetch a file it needs to decide first. */
    @FunctionalInterface
    private interface FileChoice {
        List<String> choose(CacheLayout layout, String commit, List<String> repoFiles) throws IOException;
    }

    private Path snapshot(RepoId repo, String revision, DownloadListener listener, FileChoice choice) {
        CacheLayout layout = new CacheLayout(config.cacheDir(), repo);
        if (config.offline()) {
            return cachedSnapshot(layout, revision).orElseThrow(() -> new HubException(
                    HubException.Reason.NOT_CACHED, repo + "@" + revision + " is not in the Hugging Face cache ("
                            + config.cacheDir() + ") and offline mode is on (HF_HUB_OFFLINE): unset HF_HUB_OFFLINE to "
                            + "download it, or pass a local model folder or .safetensors file"));
        }
        RepoInfo info;
        try {
            info = client.revisionInfo(repo, revision);
        } catch (HubException e) {
            if (e.reason() == HubException.Reason.NETWORK) {
                Optional<Path> cached = cachedSnapshot(layout, revision);
                if (cached.isPresent()) {
                    listener.notice(e.getMessage() + "; using the cached " + repo + "@" + revision);
                    return cached.get();
                }
            }
            throw e;
        }
        String commit = info.sha();
        try {
            List<String> files = choice.choose(layout, commit, info.files());
            fetch(layout, repo, commit, files, listener);
            layout.writeRef(revision, commit);
        } catch (IOException e) {
            throw new HubException(HubException.Reason.STORAGE, "cannot write the Hugging Face cache at "
                    + config.cacheDir() + ": " + e.getMessage(), e);
        }
        return layout.snapshot(commit);
    }

    /** The snapshot of a revision already in the cache (via {@code refs/}), if its folder exists. */
    public Optional<Path> cachedSnapshot(RepoId repo, String revision) {
        return cachedSnapshot(new CacheLayout(config.cacheDir(), repo), revision);
    }

    private static Optional<Path> cachedSnapshot(CacheLayout layout, String revision) {
        return layout.cachedCommit(revision).map(layout::snapshot).filter(Files::isDirectory);
    }

    private record Planned(String file, FileMetadata meta) {}

    /** Makes every file present in {@code snapshots/<commit>}: links to blobs already cached, downloads the rest. */
    private void fetch(CacheLayout layout, RepoId repo, String commit, List<String> files, DownloadListener listener)
            throws IOException {
        List<Planned> todo = new ArrayList<>();
        Set<String> planned = new HashSet<>(); // SDXL's two tokenizers share their vocab/merges blobs
        long bytes = 0;
        for (String f : files) {
            if (Files.exists(layout.pointer(commit, f))) {
                continue; // snapshots are immutable: a pointer that resolves is complete
            }
            FileMetadata meta = client.fileMetadata(repo, commit, f);
            if (Files.exists(layout.blob(meta.etag()))) {
                layout.link(commit, f, meta.etag()); // same bytes in another revision, or fetched by Python
                continue;
            }
            todo.add(new Planned(f, meta));
            if (!planned.add(meta.etag())) {
                continue;
            }
            Path part = layout.incomplete(meta.etag());
            bytes += Math.max(0, meta.size() - (Files.exists(part) ? Files.size(part) : 0));
        }
        if (todo.isEmpty()) {
            return;
        }
        listener.start(repo.id(), todo.size(), bytes);
        for (Planned p : todo) {
            downloadBlob(layout, p, listener);
            layout.link(commit, p.file(), p.meta().etag());
            listener.fileFinished(p.file());
        }
        listener.finished();
    }

    private void downloadBlob(CacheLayout layout, Planned p, DownloadListener listener) throws IOException {
        FileMetadata meta = p.meta();
        Path blob = layout.blob(meta.etag());
        Path part = layout.incomplete(meta.etag());
        Files.createDirectories(blob.getParent());
        try (BlobLock lock = BlobLock.acquire(layout.lock(meta.etag()))) {
            if (Files.exists(blob)) {
                return; // another thread or process finished it while we waited
            }
            listener.fileStarted(p.file(), meta.size());
            for (int attempt = 1; ; attempt++) {
                String broke;
                try {
                    client.download(meta.location(), part, listener::bytes);
                    long got = Files.size(part);
                    if (meta.size() < 0 || got >= meta.size()) {
                        break;
                    }
                    broke = "connection closed after " + got + " of " + meta.size() + " bytes";
                } catch (IOException e) {
                    broke = "connection lost: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                            : e.getMessage());
                } catch (HubException e) {
                    if (e.reason() != HubException.Reason.NETWORK) {
                        throw e;
                    }
                    broke = e.getMessage();
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new HubException(HubException.Reason.NETWORK, "download of " + p.file() + " failed "
                            + attempt + " times (" + broke + "); run the command again to resume it");
                }
                listener.notice("download of " + p.file() + " interrupted (" + broke + "), resuming at byte "
                        + (Files.exists(part) ? Files.size(part) : 0));
                pause(attempt);
            }
            String mismatch = BlobVerifier.mismatch(part, meta.etag(), meta.size());
            if (mismatch != null) {
                Files.deleteIfExists(part);
                throw new HubException(HubException.Reason.STORAGE, "downloaded " + p.file() + " is corrupt ("
                        + mismatch + "); it was deleted, run the command again");
            }
            Files.move(part, blob, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(250L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Reason.NETWORK, "download interrupted", e);
        }
    }
}

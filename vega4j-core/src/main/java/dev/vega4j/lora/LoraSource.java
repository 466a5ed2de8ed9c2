package dev.vega4j.lora;

import dev.vega4j.hub.DownloadListener;
import dev.vega4j.hub.HubCache;
import dev.vega4j.hub.RepoId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the {@code .safetensors} file of a LoRA given as a local file, a local folder, or a Hugging Face repo id
 * ({@code org/name[@revision]}, fetched into the huggingface_hub cache through {@link HubCache}; offline, a cached
 * snapshot is used). In a folder or repo the file is diffusers' default {@code pytorch_lora_weights.safetensors},
 * else the only {@code .safetensors} file at its top level (what {@code pipe.load_lora_weights(repo)} reads).
 */
public final class LoraSource {
    /** diffusers' {@code LORA_WEIGHT_NAME_SAFE}. */
    public static final String DEFAULT_WEIGHT_NAME = "pytorch_lora_weights.safetensors";

    private LoraSource() {}

    public static Path resolve(String idOrPath, HubCache hub, DownloadListener listener) {
        Optional<Path> local = HubCache.localPath(idOrPath);
        if (local.isPresent()) {
            Path p = local.get();
            return Files.isDirectory(p) ? weightFile(p, idOrPath) : p;
        }
        String id = idOrPath.strip();
        String revision = HubCache.DEFAULT_REVISION;
        int at = id.lastIndexOf('@');
        if (at > 0) {
            revision = id.substring(at + 1);
            id = id.substring(0, at);
        }
        RepoId repo = new RepoId(id);
        String rev = revision;
        Path snapshot = hub.config().offline()
                ? hub.cachedSnapshot(repo, rev).orElseThrow(() -> new LoraException(repo + "@" + rev
                        + " is not in the Hugging Face cache and offline mode is on (HF_HUB_OFFLINE)"))
                : hub.snapshot(repo, rev, null, true, listener);
        return weightFile(snapshot, idOrPath);
    }

    static Path weightFile(Path dir, String what) {
        Path def = dir.resolve(DEFAULT_WEIGHT_NAME);
        if (Files.isRegularFile(def)) {
            return def;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(f))
                    .sorted().toList();
        } catch (IOException e) {
            throw new LoraException("cannot list " + dir + ": " + e.getMessage());
        }
        if (files.size() == 1) {
            return files.getFirst();
        }
        throw new LoraException(files.isEmpty() ? what + ": no .safetensors LoRA file in " + dir
                : what + ": several .safetensors files and no " + DEFAULT_WEIGHT_NAME + " (" + files.stream()
                        .map(f -> f.getFileName().toString()).toList() + "); pass the file itself");
    }
}

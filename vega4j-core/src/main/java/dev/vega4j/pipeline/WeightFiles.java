package dev.vega4j.pipeline;

import dev.vega4j.VegaException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a component's safetensors weights the way diffusers' {@code from_pretrained} does: the plain file, a shard
 * index, or the {@code fp16} variant (what the Hub download prefers; upcast to float32 on load).
 */
final class WeightFiles {
    private WeightFiles() {}

    static Path find(Path dir, String baseName) {
        for (String variant : new String[] {"", ".fp16"}) {
            for (String suffix : new String[] {".safetensors", ".safetensors.index.json"}) {
                Path p = dir.resolve(baseName + variant + suffix);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw new VegaException(dir + ": no " + baseName + ".safetensors (or its fp16 variant / shard index); only"
                + " safetensors weights are supported (pickled .bin files are not loaded)");
    }
}

package dev.vega4j.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import dev.vega4j.tensor.Tensor;

/** Test helper: a copy of a model folder with every safetensors file rewritten in another dtype (F16, BF16). */
public final class Fp16Folders {
    private Fp16Folders() {}

    public static Path copy(Path src, Path dst, DType dtype) {
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = dst.resolve(src.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else if (f.getFileName().toString().endsWith(".safetensors")) {
                    Map<String, Tensor> all = new LinkedHashMap<>();
                    try (SafetensorsFile sf = SafetensorsFile.open(f)) {
                        for (String k : sf.tensors().keySet()) {
                            all.put(k, sf.load(k));
                        }
                        SafetensorsWriter.write(to, all, sf.metadata(), dtype);
                    }
                } else {
                    Files.copy(f, to);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dst;
    }

    /** Runs {@code body} with a {@code vega.*} switch set ({@link dev.vega4j.tensor.Switches#withOverrides}). */
    public static <T> T withProperty(String key, String value, java.util.function.Supplier<T> body) {
        return dev.vega4j.tensor.Switches.withOverrides(java.util.Map.of(key, value), body);
    }
}

package dev.vega4j.models;

import dev.vega4j.VegaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the weights file of a diffusers component folder ({@code unet/}, {@code vae/}). */
public final class DiffusersFiles {
    /** fp32 first (what the golden references use); an fp16 variant is read and widened to float32. */
    private static final List<String> CANDIDATES = List.of(
            "diffusion_pytorch_model.safetensors",
            "diffusion_pytorch_model.safetensors.index.json",
            "diffusion_pytorch_model.fp16.safetensors",
            "diffusion_pytorch_model.fp16.safetensors.index.json");

    private DiffusersFiles() {}

    public static Path weights(Path dir) {
        for (String name : CANDIDATES) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new VegaException(dir + ": no diffusers weights (" + String.join(", ", CANDIDATES)
                + "); .bin/.ckpt pickles are not read, convert them to safetensors");
    }
}

package dev.vega4j.io.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A single-file checkpoint in the A1111 / ComfyUI ("SGM/LDM") layout presented as diffusers components: the
 * {@link #component} views ({@code unet}, {@code vae}, {@code text_encoder}, {@code text_encoder_2}) answer diffusers
 * names, so the models load from it exactly as from a diffusers folder, with {@link #configs()} in place of the
 * folder's config files.
 *
 * <pre>{@code
 * try (var ckpt = SingleFileCheckpoint.open(Path.of("segmind-vega.safetensors"))) {
 *     Weights unet = ckpt.component("unet");                 // diffusers names
 *     JsonNode unetConfig = ckpt.configs().json(PipelineConfigs.UNET);
 * }
 * }</pre>
 */
public final class SingleFileCheckpoint implements AutoCloseable {
    private final Weights source;
    private final AutoCloseable resource;
    private final CheckpointVariant variant;
    private final PipelineConfigs configs;
    private final Map<String, MappedWeights> components;
    private final Set<String> unmapped;

    private SingleFileCheckpoint(Weights source, AutoCloseable resource, CheckpointVariant variant,
            PipelineConfigs configs) {
        this.source = source;
        this.resource = resource;
        this.variant = variant;
        this.configs = configs;
        Set<String> un = new TreeSet<>();
        Map<String, MappedWeights> cs = new LinkedHashMap<>();
        for (String c : Components.of(variant.xl())) {
            String prefix = Components.prefix(c, variant.xl());
            if (source.allNames().stream().noneMatch(n -> n.startsWith(prefix))) {
                continue; // a UNet-only file, or one without its VAE
            }
            boolean textModelLevel = !c.equals(Components.TEXT_ENCODER)
                    || source.allNames().stream().anyMatch(n -> n.startsWith(prefix + "text_model."));
            cs.put(c, MappedWeights.build(source, prefix, Components.mapping(c, configs, textModelLevel), c, un));
        }
        Set<String> prefixes = new TreeSet<>();
        cs.keySet().forEach(c -> prefixes.add(Components.prefix(c, variant.xl())));
        for (String n : source.allNames()) {
            if (prefixes.stream().noneMatch(n::startsWith)) {
                un.add(n); // EMA copies, noise schedule buffers, other embedders ...
            }
        }
        this.components = Collections.unmodifiableMap(cs);
        this.unmapped = Collections.unmodifiableSet(un);
    }

    /** Opens a {@code .safetensors} checkpoint, detects its family and pairs it with the bundled real-size configs. */
    public static SingleFileCheckpoint open(Path file) {
        return open(file, null);
    }

    /** Opens a checkpoint with the given configs (null: the bundled configs of the detected family). */
    public static SingleFileCheckpoint open(Path file, PipelineConfigs configs) {
        if (!Files.isRegularFile(file)) {
            throw new VegaException("checkpoint not found: " + file);
        }
        String fn = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (fn.endsWith(".ckpt") || fn.endsWith(".pt") || fn.endsWith(".pth") || fn.endsWith(".bin")) {
            throw new VegaException(file + ": pickle checkpoints are not supported (they can run code when loaded);"
                    + " convert it to .safetensors first");
        }
        SafetensorsWeights w = SafetensorsWeights.open(file);
        try {
            return of(w, configs, w);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** Wraps single-file weights already open (e.g. in memory); {@code configs} null = bundled. */
    public static SingleFileCheckpoint of(Weights singleFile, PipelineConfigs configs) {
        return of(singleFile, configs, null);
    }

    private static SingleFileCheckpoint of(Weights w, PipelineConfigs configs, AutoCloseable resource) {
        CheckpointVariant v = CheckpointVariant.detect(w.allNames(), w.source());
        PipelineConfigs cfg = configs != null ? configs : bundledFor(v, w);
        return new SingleFileCheckpoint(w, resource, v, cfg);
    }

    /**
     * The bundled configs of the family, with {@code in_channels}/{@code out_channels} taken from the weights (inpainting
     * models have 9 input channels) and a check that the widths match, so a pruned or unknown architecture fails here
     * with a clear message rather than deep inside the model.
     */
    private static PipelineConfigs bundledFor(CheckpointVariant v, Weights w) {
        PipelineConfigs cfg = PipelineConfigs.bundled(v);
        Tensor convIn = w.get(CheckpointVariant.UNET + "input_blocks.0.0.weight");
        Tensor convOut = w.getOptional(CheckpointVariant.UNET + "out.2.weight");
        JsonNode unet = cfg.required(PipelineConfigs.UNET);
        int width = unet.get("block_out_channels").get(0).asInt();
        if (convIn.rank() != 4 || convIn.dim(0) != width) {
            throw new VegaException(w.source() + ": looks like " + v + " but its UNet conv_in has shape "
                    + java.util.Arrays.toString(convIn.shape()) + " (the " + v + " config has " + width
                    + " channels); pass the configs of its model (vega: --config with a diffusers folder or Hub repo)");
        }
        Map<String, Integer> io = new LinkedHashMap<>();
        io.put("in_channels", convIn.dim(1));
        if (convOut != null) {
            io.put("out_channels", convOut.dim(0));
        }
        return cfg.withValues(PipelineConfigs.UNET, io);
    }

    public CheckpointVariant variant() {
        return variant;
    }

    /** The configs the components are described by (bundled or given). */
    public PipelineConfigs configs() {
        return configs;
    }

    /**
     * The components the file holds: {@code unet}, {@code vae}, {@code text_encoder} and, for the SDXL family,
     * {@code text_encoder_2}; a UNet-only file has just {@code unet}.
     */
    public List<String> components() {
        return List.copyOf(components.keySet());
    }

    /** True when the file holds the component. */
    public boolean has(String name) {
        return components.containsKey(name);
    }

    /** A component under its diffusers names. */
    public Weights component(String name) {
        Components.requireKnown(name, variant.xl());
        MappedWeights w = components.get(name);
        if (w == null) {
            throw new VegaException(source.source() + " holds no " + name + " (it has " + components() + ")");
        }
        return w;
    }

    /** Checkpoint tensors no component uses (EMA weights, schedule buffers, {@code position_ids}, {@code logit_scale}). */
    public Set<String> unmappedNames() {
        return unmapped;
    }

    /** The underlying single-file weights (single-file names). */
    public Weights singleFileWeights() {
        return source;
    }

    @Override
    public void close() {
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new VegaException("cannot close " + source.source() + ": " + e.getMessage(), e);
            }
        }
    }
}

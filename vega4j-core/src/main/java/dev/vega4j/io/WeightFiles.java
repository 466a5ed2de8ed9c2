package dev.vega4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds the safetensors weights of one model folder ({@code unet/}, {@code text_encoder/}, ...) the way diffusers
 * 0.26.3 and transformers name them (diffusers utils/constants.py, {@code _add_variant} in models/modeling_utils.py):
 * diffusers models use {@code diffusion_pytorch_model.safetensors}, transformers models {@code model.safetensors}; a
 * variant inserts its name before the last extension ({@code diffusion_pytorch_model.fp16.safetensors},
 * {@code model.safetensors.index.fp16.json}); a sharded checkpoint is named by its {@code *.safetensors.index.json}.
 *
 * <p>The one lookup behind {@code PipelineFolder} and the single-model loaders ({@code UNet2DConditionModel.load},
 * {@code AutoencoderKL.load}). Policy, after diffusers' {@code from_pretrained}:
 * <ul>
 *   <li>no variant asked for: the plain file. diffusers stops with an error when only a variant file exists
 *       ({@code _get_model_file} in utils/hub_utils.py finds no {@code diffusion_pytorch_model.safetensors}); vega4j
 *       is friendlier and takes the variant when it is the only one present ({@link Found#guessed()}, which the
 *       caller announces), but never picks one of several;</li>
 *   <li>a variant asked for: that variant, else the plain file (repositories often ship fp16 files for some
 *       components only; diffusers' pipeline loading does the same).</li>
 * </ul>
 */
public final class WeightFiles {
    public static final String DIFFUSERS = "diffusion_pytorch_model.safetensors";
    public static final String TRANSFORMERS = "model.safetensors";

    /** Variant names as diffusers and transformers write them (fp16, bf16, non_ema); excludes shard suffixes. */
    private static final Pattern VARIANT = Pattern.compile("[A-Za-z0-9_]+");
    private static final System.Logger LOG = System.getLogger(WeightFiles.class.getName());

    /** Which library wrote the folder: decides which file name is tried first. */
    public enum Library {
        DIFFUSERS, TRANSFORMERS
    }

    /**
     * A weights file (single file or shard index).
     *
     * @param variant the variant of that file, null for the plain one
     * @param guessed true when no variant was asked for and this one was taken because it is the only one present
     */
    public record Found(Path file, String variant, boolean guessed) {}

    private WeightFiles() {}

    /** diffusers {@code _add_variant}: "a.b.c" with variant v becomes "a.b.v.c". */
    public static String addVariant(String fileName, String variant) {
        if (variant == null) {
            return fileName;
        }
        int dot = fileName.lastIndexOf('.');
        return fileName.substring(0, dot) + "." + variant + fileName.substring(dot);
    }

    /** Candidate names in the order they are tried: the library's own name first, single file before index. */
    static List<String> candidates(Library library, String variant) {
        List<String> bases = library == Library.TRANSFORMERS ? List.of(TRANSFORMERS, DIFFUSERS)
                : List.of(DIFFUSERS, TRANSFORMERS);
        List<String> out = new ArrayList<>();
        for (String base : bases) {
            out.add(addVariant(base, variant));
            out.add(addVariant(base + ".index.json", variant));
        }
        return out;
    }

    /**
     * The weights of the model in {@code dir}, or a {@link WeightFilesException} that names the folder, the files
     * it has and what to do.
     *
     * @param variant e.g. {@code "fp16"}, or null for the plain files (or the only variant present)
     * @param subject what is being loaded, for messages: {@code "component 'unet' (UNet2DConditionModel)"}
     */
    public static Found resolve(Path dir, Library library, String variant, String subject) {
        Path found = find(dir, library, variant);
        if (found != null) {
            return new Found(found, variant, false);
        }
        if (variant != null) {
            found = find(dir, library, null);
            if (found != null) {
                return new Found(found, null, false);
            }
        } else {
            List<String> present = variantsPresent(dir);
            if (present.size() == 1 && (found = find(dir, library, present.getFirst())) != null) {
                return new Found(found, present.getFirst(), true);
            }
        }
        throw missing(dir, library, variant, subject);
    }

    /**
     * {@link #resolve} for a model loaded from its own folder ({@code UNet2DConditionModel.load(dir)}); a variant
     * taken because it is the only one is said on the log.
     */
    public static Path resolveModel(Path dir, Library library, String subject) {
        Found f = resolve(dir, library, null, subject);
        if (f.guessed()) {
            announce(dir.toString(), Map.of(subject, f));
        }
        return f.file();
    }

    /**
     * Logs (INFO) that the weights of {@code guessed} (by component) are variants taken because the folder has no
     * plain files: the user asked for none, so the choice must not be silent.
     */
    public static void announce(String where, Map<String, Found> guessed) {
        if (guessed.isEmpty()) {
            return;
        }
        String files = guessed.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue().file().getFileName()
                + ")").collect(Collectors.joining(", "));
        String variants = guessed.values().stream().map(Found::variant).distinct().map(v -> "\"" + v + "\"")
                .collect(Collectors.joining(", "));
        LOG.log(System.Logger.Level.INFO, "{0}: no plain weights; using the only variant there is, {1}, widened to"
                + " float32, for {2}", where, variants, files);
    }

    private static Path find(Path dir, Library library, String variant) {
        for (String name : candidates(library, variant)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** The variants that have a weights file (single or index) in {@code dir}, sorted. */
    static List<String> variantsPresent(Path dir) {
        TreeSet<String> out = new TreeSet<>();
        for (String f : listFiles(dir)) {
            String v = variantOf(f);
            if (v != null) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }

    private static WeightFilesException missing(Path dir, Library library, String variant, String subject) {
        String base = library == Library.TRANSFORMERS ? TRANSFORMERS : DIFFUSERS;
        List<String> present = listFiles(dir);
        StringBuilder sb = new StringBuilder(subject).append(": no weights file ")
                .append(dir.resolve(addVariant(base, variant))).append(" (nor a sharded ")
                .append(addVariant(base + ".index.json", variant)).append(")");
        List<String> safetensors = present.stream().filter(f -> f.endsWith(".safetensors")
                || f.endsWith(".json") && f.contains(".safetensors.index")).toList();
        List<String> pickles = present.stream().filter(f -> f.endsWith(".bin") || f.endsWith(".ckpt")
                || f.endsWith(".pt") || f.endsWith(".pth")).toList();
        List<String> variants = variantsPresent(dir).stream().filter(v -> !v.equals(variant)).toList();
        boolean none = safetensors.isEmpty() && pickles.isEmpty();
        if (!safetensors.isEmpty()) {
            sb.append(". The folder has ").append(String.join(", ", safetensors));
            if (variants.size() == 1) {
                sb.append(": open it with variant \"").append(variants.getFirst()).append("\"");
            } else if (variants.size() > 1) {
                sb.append(": several variants, open it with one of ").append(variants.stream()
                        .map(v -> "variant \"" + v + "\"").collect(Collectors.joining(", ")));
            }
        } else if (!pickles.isEmpty()) {
            sb.append(". Only PyTorch pickle weights are present (").append(String.join(", ", pickles))
                    .append("); vega4j reads safetensors only: convert them, e.g. with diffusers'"
                            + " save_pretrained(..., safe_serialization=True)");
        } else {
            sb.append(". The folder ").append(dir).append(present.isEmpty() ? " is empty"
                    : " has only " + String.join(", ", present)).append(": download the weights into it");
        }
        return new WeightFilesException(sb.toString(), none);
    }

    /** "fp16" for "diffusion_pytorch_model.fp16.safetensors" or "model.safetensors.index.fp16.json", else null. */
    public static String variantOf(String fileName) {
        for (String base : List.of(DIFFUSERS, TRANSFORMERS)) {
            for (String full : List.of(base, base + ".index.json")) {
                String stem = full.substring(0, full.lastIndexOf('.'));
                String ext = full.substring(full.lastIndexOf('.'));
                if (fileName.startsWith(stem + ".") && fileName.endsWith(ext)
                        && fileName.length() > stem.length() + 1 + ext.length()) {
                    String v = fileName.substring(stem.length() + 1, fileName.length() - ext.length());
                    if (VARIANT.matcher(v).matches()) {
                        return v;
                    }
                }
            }
        }
        return null;
    }

    private static List<String> listFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}

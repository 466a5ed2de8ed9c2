package dev.vega4j.lora;

import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LoRA adapter read from a {@code .safetensors} file in any of the {@link LoraFormat layouts} vega4j knows: a list of
 * {@link LoraModule}s, not yet tied to a model ({@link LoraTargets#resolve} does that, and reports keys that match no
 * module of the model).
 *
 * <p>Key parsing follows diffusers 0.26.3 {@code loaders/lora.py} ({@code lora_state_dict},
 * {@code _convert_kohya_lora_to_diffusers}) and {@code loaders/lora_conversion_utils.py}; LyCORIS variants (LoHa,
 * LoKr, DoRA, "lora_mid" Tucker factors, full diffs) are rejected with a message naming them.
 */
public final class LoraAdapter {
    private static final Pattern KOHYA = Pattern.compile(
            "^(lora_unet|lora_te1|lora_te2|lora_te)_(.+?)\\.(lora_down\\.weight|lora_up\\.weight|alpha)$");
    private static final Pattern KOHYA_ANY = Pattern.compile("^(lora_unet|lora_te1|lora_te2|lora_te)_(.+?)\\.(.+)$");
    private static final Pattern DIFFUSERS = Pattern.compile(
            "^(?:(unet|text_encoder|text_encoder_2)\\.)?(.+?)\\.(?:lora|lora_linear_layer)\\.(down|up)\\.weight$");
    /** diffusers' attention-processor LoRA: {@code <attn>.processor.to_q_lora.down.weight}. */
    private static final Pattern DIFFUSERS_PROCESSOR = Pattern.compile(
            "^(?:(unet|text_encoder|text_encoder_2)\\.)?(.+?)(?:\\.processor)?\\.(to_q|to_k|to_v|to_out)_lora\\.(down|up)"
                    + "\\.weight$");
    /**
     * PEFT names, {@code get_peft_model_state_dict} of a {@code get_peft_model} wrapper ({@code base_model.model.}) or of
     * a diffusers {@code add_adapter} model, optionally under the component prefix {@code save_lora_weights} adds - in
     * either order: the late-2023 LCM-LoRA distillation scripts saved {@code unet.base_model.model.<path>.lora_A.weight}.
     */
    private static final Pattern PEFT = Pattern.compile("^(?:base_model\\.model\\.)?(?:(unet|text_encoder|text_encoder_2)\\.)?"
            + "(?:base_model\\.model\\.)?(.+?)\\.lora_([AB])(?:\\.[^.]+)?\\.weight$");
    private static final Pattern ALPHA = Pattern.compile("^(?:(unet|text_encoder|text_encoder_2)\\.)?(.+)\\.alpha$");
    private static final Pattern LYCORIS = Pattern.compile(
            ".*\\.(hada_|lokr_|lora_mid|dora_scale|lora_magnitude_vector|diff|diff_b|on_input|t1|t2|w1|w2|b1|b2)"
                    + ".*");

    private final String name;
    private final Set<LoraFormat> formats;
    private final List<LoraModule> modules;

    public LoraAdapter(String name, Set<LoraFormat> formats, List<LoraModule> modules) {
        this.name = name;
        this.formats = Set.copyOf(formats);
        this.modules = List.copyOf(modules);
    }

    /** Reads a LoRA {@code .safetensors} file (any dtype; tensors become float32). */
    public static LoraAdapter load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LoraException("LoRA file not found: " + file);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String k : f.tensors().keySet()) {
                tensors.put(k, f.load(k));
            }
        }
        return fromTensors(file.getFileName().toString(), tensors);
    }

    /** Parses tensors under LoRA key names (see {@link LoraFormat}); {@code name} is used in messages. */
    public static LoraAdapter fromTensors(String name, Map<String, Tensor> tensors) {
        if (tensors.isEmpty()) {
            throw new LoraException(name + ": the file holds no tensors");
        }
        Map<String, Parts> parts = new TreeMap<>();
        EnumSet<LoraFormat> formats = EnumSet.noneOf(LoraFormat.class);
        List<String> unknown = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        Map<String, Tensor> alphas = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            Matcher m;
            if ((m = KOHYA.matcher(key)).matches()) {
                formats.add(LoraFormat.KOHYA);
                LoraComponent c = switch (m.group(1)) {
                    case "lora_unet" -> LoraComponent.UNET;
                    case "lora_te2" -> LoraComponent.TEXT_ENCODER_2;
                    default -> LoraComponent.TEXT_ENCODER; // lora_te1, SD 1.x's lora_te
                };
                Parts p = part(parts, c, m.group(2), true);
                switch (m.group(3)) {
                    case "lora_down.weight" -> p.down(key, t);
                    case "lora_up.weight" -> p.up(key, t);
                    default -> p.alpha(key, t);
                }
            } else if (KOHYA_ANY.matcher(key).matches()) {
                unsupported.add(key);
            } else if ((m = DIFFUSERS_PROCESSOR.matcher(key)).matches()) {
                formats.add(LoraFormat.DIFFUSERS);
                LoraComponent c = component(m.group(1));
                String proj = m.group(3);
                String path = m.group(2) + "." + (c.textEncoder() ? textEncoderProjection(proj)
                        : proj.equals("to_out") ? "to_out.0" : proj);
                Parts p = part(parts, c, path, false);
                if (m.group(4).equals("down")) {
                    p.down(key, t);
                } else {
                    p.up(key, t);
                }
            } else if ((m = DIFFUSERS.matcher(key)).matches()) {
                formats.add(LoraFormat.DIFFUSERS);
                LoraComponent c = component(m.group(1));
                String path = m.group(2);
                Parts p = part(parts, c, path, false);
                if (m.group(3).equals("down")) {
                    p.down(key, t);
                } else {
                    p.up(key, t);
                }
            } else if ((m = PEFT.matcher(key)).matches()) {
                formats.add(LoraFormat.PEFT);
                LoraComponent c = component(m.group(1));
                String path = m.group(2);
                Parts p = part(parts, c, path, false);
                if (m.group(3).equals("A")) {
                    p.down(key, t);
                } else {
                    p.up(key, t);
                }
            } else if ((m = ALPHA.matcher(key)).matches()) {
                alphas.put(key, t);
            } else if (LYCORIS.matcher(key).matches()) {
                unsupported.add(key);
            } else {
                unknown.add(key);
            }
        }
        // diffusers-style alphas ("unet.<path>.alpha"), applied once every module is known
        for (Map.Entry<String, Tensor> e : alphas.entrySet()) {
            Matcher m = ALPHA.matcher(e.getKey());
            m.matches();
            LoraComponent c = component(m.group(1));
            Parts p = parts.get(c.ordinal() + "|d|" + m.group(2));
            if (p == null) {
                unknown.add(e.getKey());
            } else {
                p.alpha(e.getKey(), e.getValue());
            }
        }
        if (!unsupported.isEmpty()) {
            throw new LoraException(name + ": " + unsupported.size() + " key(s) of an unsupported LoRA variant (LyCORIS"
                    + " LoHa/LoKr/DoRA/Tucker 'lora_mid'/full diffs are not supported, only plain low-rank"
                    + " down/up pairs), e.g. " + sample(unsupported));
        }
        if (!unknown.isEmpty()) {
            throw new LoraException(name + ": " + unknown.size() + " key(s) in no known LoRA layout (kohya"
                    + " 'lora_unet_...lora_down.weight', diffusers 'unet....lora.down.weight', PEFT '...lora_A.weight'): "
                    + sample(unknown));
        }
        List<LoraModule> modules = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        for (Parts p : parts.values()) {
            if (p.down == null || p.up == null) {
                incomplete.add(p.component.diffusersPrefix() + ":" + p.name + " (" + (p.down == null ? "no down" : "no up")
                        + " weight)");
                continue;
            }
            modules.add(p.module(name));
        }
        if (!incomplete.isEmpty()) {
            throw new LoraException(name + ": " + incomplete.size() + " LoRA module(s) lack their down or up matrix: "
                    + sample(incomplete));
        }
        return new LoraAdapter(name, formats, modules);
    }

    private static Parts part(Map<String, Parts> parts, LoraComponent c, String name, boolean kohya) {
        return parts.computeIfAbsent(c.ordinal() + (kohya ? "|k|" : "|d|") + name, x -> new Parts(c, name, kohya));
    }

    private static String textEncoderProjection(String p) {
        return switch (p) {
            case "to_q" -> "q_proj";
            case "to_k" -> "k_proj";
            case "to_v" -> "v_proj";
            default -> "out_proj";
        };
    }

    private static LoraComponent component(String prefix) {
        return prefix == null ? LoraComponent.UNET : LoraComponent.ofDiffusersPrefix(prefix);
    }

    static String sample(List<String> items) {
        int n = 20;
        String s = String.join(", ", items.subList(0, Math.min(n, items.size())));
        return items.size() > n ? s + ", ... (" + (items.size() - n) + " more)" : s;
    }

    public String name() {
        return name;
    }

    public Set<LoraFormat> formats() {
        return formats;
    }

    public List<LoraModule> modules() {
        return modules;
    }

    @Override
    public String toString() {
        return name + " " + formats + " (" + modules.size() + " modules)";
    }

    /** The down/up/alpha tensors of one module while the file is read. */
    private static final class Parts {
        final LoraComponent component;
        final String name;
        final boolean kohya;
        Tensor down, up;
        Float alpha;
        final List<String> keys = new ArrayList<>();

        Parts(LoraComponent component, String name, boolean kohya) {
            this.component = component;
            this.name = name;
            this.kohya = kohya;
        }

        void down(String key, Tensor t) {
            keys.add(key);
            down = t;
        }

        void up(String key, Tensor t) {
            keys.add(key);
            up = t;
        }

        void alpha(String key, Tensor t) {
            keys.add(key);
            if (t.numel() != 1) {
                throw new LoraException("LoRA alpha '" + key + "' must be a single number, it has " + t.numel()
                        + " elements");
            }
            alpha = t.data()[0];
        }

        LoraModule module(String source) {
            int rank = down.dim(0);
            if (down.rank() != 2 && down.rank() != 4 || up.rank() != down.rank() || up.dim(1) != rank
                    || up.rank() == 4 && (up.dim(2) != 1 || up.dim(3) != 1)) {
                throw new LoraException(source + ": LoRA module " + component.diffusersPrefix() + ":" + name
                        + " has down " + java.util.Arrays.toString(down.shape()) + " and up "
                        + java.util.Arrays.toString(up.shape()) + "; expected down [rank, in] / up [out, rank] or"
                        + " down [rank, in, k, k] / up [out, rank, 1, 1]");
            }
            return new LoraModule(component, name, kohya, down, up, alpha, String.join(", ", keys));
        }
    }
}

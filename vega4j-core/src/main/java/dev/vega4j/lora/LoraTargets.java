package dev.vega4j.lora;

import dev.vega4j.config.UNetConfig;
import dev.vega4j.io.checkpoint.Mapped;
import dev.vega4j.io.checkpoint.Mappings;
import dev.vega4j.io.checkpoint.NameMapping;
import dev.vega4j.io.checkpoint.UNetLayout;
import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.models.layers.AdaptableLayer;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.pipeline.AdaptableModules;
import dev.vega4j.pipeline.Pipeline;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layers of one loaded pipeline that LoRA adapters can patch (UNet, text encoder, SDXL's text encoder 2), and the
 * two ways to apply an adapter:
 * <ul>
 *   <li>{@link #attach}: unfused, on the fly. Each patched layer computes {@code W x + b + scale · (alpha/rank) ·
 *       up(down(x))} - diffusers' non-PEFT {@code LoRACompatibleLinear} / {@code LoRACompatibleConv} /
 *       {@code PatchedLoraProjection} (what the golden {@code <fmt>.unet.*} outputs were computed with). Scales can be
 *       changed between calls ({@code cross_attention_kwargs["scale"]}, {@code encode_prompt(lora_scale=)}).</li>
 *   <li>{@link #fuse}: merged into the weights, {@code W' = W + scale · ((up · alpha) / rank) @ down} (diffusers'
 *       {@code _fuse_lora}); no cost per step. {@link FusedLora#unfuse()} restores the original weights bit for bit
 *       (the originals are kept, nothing is subtracted).</li>
 * </ul>
 * Several adapters can be attached and/or fused at once; their updates add up.
 *
 * <p>Module names are matched to the model by their diffusers paths; kohya's '_'-joined names are looked up in a table
 * built from the model's own module names, both diffusers names ({@code down_blocks_1_attentions_0_...}) and the
 * original SGM/LDM block names of the same modules ({@code input_blocks_4_1_...}, from the single-file checkpoint
 * mapping {@link Mappings#unet}), so the '_' ambiguity never needs guessing.
 */
public final class LoraTargets {
    private final Map<LoraComponent, Map<String, AdaptableLayer>> layers = new EnumMap<>(LoraComponent.class);
    private final Map<LoraComponent, Map<String, String>> kohyaNames = new EnumMap<>(LoraComponent.class);
    private final Deque<FusedLora> fused = new ArrayDeque<>();

    private LoraTargets() {}

    /**
     * The targets of an SDXL-family pipeline (either text encoder may be null: an SD 1.x pipeline has one, a
     * UNet-only use none).
     */
    public static LoraTargets of(UNet2DConditionModel unet, ClipTextEncoder textEncoder, ClipTextEncoder textEncoder2) {
        LoraTargets t = new LoraTargets();
        if (unet != null) {
            t.add(LoraComponent.UNET, unet.adaptableLayers(), Mappings.unet(layout(unet.config())));
        }
        if (textEncoder != null) {
            t.add(LoraComponent.TEXT_ENCODER, textEncoder.adaptableLayers(), null);
        }
        if (textEncoder2 != null) {
            t.add(LoraComponent.TEXT_ENCODER_2, textEncoder2.adaptableLayers(), null);
        }
        return t;
    }

    /**
     * The targets of a loaded pipeline: its UNet and the text encoder(s) of its {@code encode_prompt} (an SDXL-family
     * or SD 1.5 pipeline as {@link dev.vega4j.pipeline.PipelineLoader} builds it); a pipeline without a diffusers
     * UNet takes no adapters.
     */
    public static LoraTargets of(Pipeline pipeline) {
        return of(pipeline.adaptableModules().orElseThrow(() -> new LoraException("LoRA needs a diffusers pipeline"
                + " with a UNet2DConditionModel; " + pipeline.info().name() + " has none")));
    }

    /** The targets of a pipeline's adaptable modules: the UNet, text_encoder and (SDXL) text_encoder_2. */
    public static LoraTargets of(AdaptableModules modules) {
        List<ClipTextEncoder> te = modules.textEncoders();
        return of(modules.unet(), te.isEmpty() ? null : te.get(0), te.size() < 2 ? null : te.get(1));
    }

    /** Targets from explicit layer maps (tests, other model classes); {@code sgm} maps UNet names, or null. */
    public static LoraTargets of(Map<LoraComponent, Map<String, AdaptableLayer>> layers, NameMapping sgm) {
        LoraTargets t = new LoraTargets();
        layers.forEach((c, m) -> t.add(c, m, c == LoraComponent.UNET ? sgm : null));
        return t;
    }

    private void add(LoraComponent c, Map<String, AdaptableLayer> ls, NameMapping sgm) {
        layers.put(c, Collections.unmodifiableMap(new LinkedHashMap<>(ls)));
        Map<String, String> kohya = new HashMap<>();
        for (String path : ls.keySet()) {
            kohya.put(path.replace('.', '_'), path);
        }
        if (sgm != null) {
            for (String path : ls.keySet()) {
                Mapped m = sgm.toSingleFile(path + ".weight");
                if (m != null && m.name().endsWith(".weight")) {
                    String single = m.name().substring(0, m.name().length() - ".weight".length());
                    kohya.putIfAbsent(single.replace('.', '_'), path);
                }
            }
        }
        kohyaNames.put(c, kohya);
    }

    /** The single-file ↔ diffusers block layout of a UNet config (what {@link Mappings#unet} needs). */
    static UNetLayout layout(UNetConfig c) {
        int n = c.levels();
        boolean[] down = new boolean[n], up = new boolean[n];
        for (int i = 0; i < n; i++) {
            down[i] = c.downBlockTypes().get(i).contains("Attn");
            up[i] = c.upBlockTypes().get(i).contains("Attn");
        }
        UNetLayout.MidBlock mid = c.midBlockType() == null ? UNetLayout.MidBlock.NONE
                : c.midBlockType().equals("UNetMidBlock2D") ? UNetLayout.MidBlock.RESNET_ONLY
                : UNetLayout.MidBlock.CROSS_ATTN;
        String label = "text_time".equals(c.additionEmbedType()) ? "add_embedding"
                : c.classEmbedType() != null ? "class_embedding" : null;
        return new UNetLayout(c.layersPerBlock().clone(), down, up, mid, label);
    }

    /** The layers of one component under their module paths (empty when the pipeline has no such component). */
    public Map<String, AdaptableLayer> layers(LoraComponent c) {
        return layers.getOrDefault(c, Map.of());
    }

    /** A module of an adapter tied to the layer it patches. */
    public record Resolved(LoraComponent component, String path, AdaptableLayer layer, LoraModule module) {}

    /**
     * Ties every module of {@code adapter} to a layer of this model. Throws a {@link LoraException} listing every
     * module that names no layer of the model (or a component the pipeline lacks) and every shape that does not fit:
     * such an adapter was made for another architecture.
     */
    public List<Resolved> resolve(LoraAdapter adapter) {
        List<Resolved> out = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (LoraModule m : adapter.modules()) {
            Map<String, AdaptableLayer> ls = layers.get(m.component());
            if (ls == null) {
                unmatched.add(m.keys() + " (the pipeline has no " + m.component().diffusersPrefix() + ")");
                continue;
            }
            String path = m.kohyaName() ? kohyaNames.get(m.component()).get(m.name()) : m.name();
            AdaptableLayer layer = path == null ? null : ls.get(path);
            if (layer == null) {
                unmatched.add(m.keys());
                continue;
            }
            String problem = shapeProblem(m, layer);
            if (problem != null) {
                mismatched.add(m.component().diffusersPrefix() + "." + path + ": " + problem);
                continue;
            }
            out.add(new Resolved(m.component(), path, layer, m));
        }
        if (!unmatched.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder sb = new StringBuilder(adapter.name()).append(" does not fit this model (an adapter for"
                    + " another architecture?)");
            if (!unmatched.isEmpty()) {
                sb.append("; ").append(unmatched.size()).append(" of ").append(adapter.modules().size())
                        .append(" module(s) match no layer: ").append(LoraAdapter.sample(unmatched));
            }
            if (!mismatched.isEmpty()) {
                sb.append("; ").append(mismatched.size()).append(" module(s) have the wrong shape: ")
                        .append(LoraAdapter.sample(mismatched));
            }
            throw new LoraException(sb.toString());
        }
        return out;
    }

    private static String shapeProblem(LoraModule m, AdaptableLayer layer) {
        int[] w = layer.weight().shape();
        int out = w[0], in = w[1];
        int[] d = m.down().shape(), u = m.up().shape();
        if (layer.conv() == null) {
            boolean downOk = d.length == 2 || d.length == 4 && d[2] == 1 && d[3] == 1;
            if (!downOk || d[1] != in || u[0] != out) {
                return "layer weight " + Arrays.toString(w) + ", LoRA down " + Arrays.toString(d) + " / up "
                        + Arrays.toString(u);
            }
            return null;
        }
        int k = layer.conv().kernel();
        boolean downOk = d.length == 4 ? d[2] == k && d[3] == k : k == 1;
        if (!downOk || d[1] != in || u[0] != out) {
            return "convolution weight " + Arrays.toString(w) + ", LoRA down " + Arrays.toString(d) + " / up "
                    + Arrays.toString(u);
        }
        return null;
    }

    /**
     * Attaches {@code adapter} unfused with weight {@code weight} (the per-adapter strength, e.g. 0.8 from
     * {@code --lora file:0.8}); the runtime scales of the returned handle start at 1.
     */
    public ActiveLora attach(LoraAdapter adapter, float weight) {
        return new ActiveLora(adapter, resolve(adapter), weight);
    }

    /**
     * Merges {@code adapter} into the weights with {@code loraScale} (diffusers {@code fuse_lora(lora_scale=)}); the
     * handle restores the originals. Fused adapters must be unfused in reverse order.
     */
    public FusedLora fuse(LoraAdapter adapter, float loraScale) {
        return fuse(adapter, loraScale, true);
    }

    /**
     * As {@link #fuse(LoraAdapter, float)}; {@code keepOriginals = false} keeps no copy of the patched weights (for
     * large models), and unfusing then subtracts the update like diffusers (exact only up to rounding).
     */
    public FusedLora fuse(LoraAdapter adapter, float loraScale, boolean keepOriginals) {
        FusedLora f = FusedLora.fuse(this, adapter, resolve(adapter), loraScale, keepOriginals);
        fused.push(f);
        return f;
    }

    void unfused(FusedLora f) {
        if (fused.peek() != f) {
            throw new LoraException("unfuse " + f.adapter().name() + ": adapters fused after it ("
                    + fused.peek().adapter().name() + ") must be unfused first");
        }
        fused.pop();
    }
}

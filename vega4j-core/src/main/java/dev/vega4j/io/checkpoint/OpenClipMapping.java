package dev.vega4j.io.checkpoint;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenCLIP text tower (SDXL's ViT-bigG encoder) ↔ transformers {@code CLIPTextModelWithProjection}, after diffusers'
 * {@code convert_open_clip_checkpoint}: {@code transformer.resblocks.N} → {@code text_model.encoder.layers.N},
 * {@code ln_1/ln_2} → {@code layer_norm1/2}, {@code mlp.c_fc/c_proj} → {@code mlp.fc1/fc2}, the fused
 * {@code attn.in_proj_weight/bias} split into q, k, v (rows in that order), {@code text_projection} transposed.
 */
final class OpenClipMapping implements NameMapping {
    private static final Pattern BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Pattern LAYER = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");

    private static final Map<String, String> TOP = Map.of(
            "token_embedding.weight", "text_model.embeddings.token_embedding.weight",
            "positional_embedding", "text_model.embeddings.position_embedding.weight",
            "ln_final.weight", "text_model.final_layer_norm.weight",
            "ln_final.bias", "text_model.final_layer_norm.bias");

    /** Inside a residual block (single-file module → diffusers module). */
    private static final Map<String, String> BLOCK_MODULES = Map.of(
            "ln_1", "layer_norm1",
            "ln_2", "layer_norm2",
            "mlp.c_fc", "mlp.fc1",
            "mlp.c_proj", "mlp.fc2",
            "attn.out_proj", "self_attn.out_proj");

    private static final String[] QKV = {"q_proj", "k_proj", "v_proj"};
    private static final Transform[] PARTS = {Transform.QKV_Q, Transform.QKV_K, Transform.QKV_V};

    @Override
    public List<Mapped> toDiffusers(String name) {
        if (TOP.containsKey(name)) {
            return List.of(Mapped.same(TOP.get(name)));
        }
        if (name.equals("text_projection")) {
            return List.of(new Mapped("text_projection.weight", Transform.TRANSPOSE));
        }
        if (name.equals("text_projection.weight")) {
            // some converters store the projection as a Linear already (ComfyUI accepts both)
            return List.of(Mapped.same("text_projection.weight"));
        }
        Matcher m = BLOCK.matcher(name);
        if (!m.matches()) {
            return List.of(); // logit_scale, attn_mask and the like
        }
        String layer = "text_model.encoder.layers." + m.group(1) + ".";
        String rest = m.group(2);
        if (rest.equals("attn.in_proj_weight") || rest.equals("attn.in_proj_bias")) {
            String param = rest.endsWith("weight") ? "weight" : "bias";
            return List.of(
                    new Mapped(layer + "self_attn." + QKV[0] + "." + param, PARTS[0]),
                    new Mapped(layer + "self_attn." + QKV[1] + "." + param, PARTS[1]),
                    new Mapped(layer + "self_attn." + QKV[2] + "." + param, PARTS[2]));
        }
        for (Map.Entry<String, String> e : BLOCK_MODULES.entrySet()) {
            if (rest.startsWith(e.getKey() + ".")) {
                return List.of(Mapped.same(layer + e.getValue() + rest.substring(e.getKey().length())));
            }
        }
        return List.of();
    }

    @Override
    public Mapped toSingleFile(String name) {
        for (Map.Entry<String, String> e : TOP.entrySet()) {
            if (e.getValue().equals(name)) {
                return Mapped.same(e.getKey());
            }
        }
        if (name.equals("text_projection.weight")) {
            return new Mapped("text_projection", Transform.TRANSPOSE);
        }
        Matcher m = LAYER.matcher(name);
        if (!m.matches()) {
            return null;
        }
        String block = "transformer.resblocks." + m.group(1) + ".";
        String rest = m.group(2);
        for (int p = 0; p < 3; p++) {
            String prefix = "self_attn." + QKV[p] + ".";
            if (rest.startsWith(prefix)) {
                String param = rest.substring(prefix.length());
                return new Mapped(block + "attn.in_proj_" + param, PARTS[p]);
            }
        }
        for (Map.Entry<String, String> e : BLOCK_MODULES.entrySet()) {
            if (rest.startsWith(e.getValue() + ".")) {
                return Mapped.same(block + e.getKey() + rest.substring(e.getValue().length()));
            }
        }
        return null;
    }
}

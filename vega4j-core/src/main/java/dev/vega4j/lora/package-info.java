/**
 * LoRA adapters for the UNet and the CLIP text encoders, as diffusers 0.26.3 applies them without PEFT.
 *
 * <ul>
 *   <li>{@link dev.vega4j.lora.LoraAdapter} reads kohya-ss/A1111 ({@code lora_unet_...lora_down.weight},
 *       {@code .alpha}; UNet names in diffusers or original SGM block form), diffusers ({@code unet....lora.down.weight},
 *       {@code text_encoder....lora_linear_layer.down.weight}, attention-processor names) and PEFT
 *       ({@code lora_A/lora_B}) files; Linear targets and k x k convolutions (down = k x k conv to rank channels,
 *       up = 1x1).</li>
 *   <li>{@link dev.vega4j.lora.LoraTargets} ties an adapter to a model's layers (found through
 *       {@link dev.vega4j.models.layers.AdaptableLayer}: every {@code Linear}/{@code Conv2d} registers under its
 *       diffusers module path) and rejects, listing them, modules that match no layer or have the wrong shape.</li>
 *   <li>{@link dev.vega4j.lora.LoraTargets#attach} applies it unfused: {@code W x + b + scale · (alpha/rank) ·
 *       up(down(x))} in diffusers' order, scales changeable per call (UNet {@code cross_attention_kwargs["scale"]},
 *       text encoders {@code lora_scale}); {@link dev.vega4j.lora.LoraTargets#fuse} merges
 *       {@code W + scale · ((up · alpha)/rank) @ down} into the weights and restores them bit for bit on unfuse.
 *       Several adapters may be attached and fused at once.</li>
 *   <li>{@link dev.vega4j.lora.LoraSpec} / {@link dev.vega4j.lora.LoraSource} / {@link dev.vega4j.lora.Loras}: the
 *       user-facing {@code ID_OR_PATH[:weight]} (file, folder or Hugging Face repo) applied to a loaded pipeline;
 *       {@link dev.vega4j.lora.VegaRt} the VegaRT preset (LCM-LoRA, LCM scheduler, 4 steps, guidance 1).</li>
 *   <li>the {@code lora} golden group is checked by the vega4j-conformance module.</li>
 * </ul>
 */
package dev.vega4j.lora;

/**
 * Single-file checkpoints: the A1111 / ComfyUI "SGM/LDM" layout ({@code model.diffusion_model.*},
 * {@code first_stage_model.*}, {@code cond_stage_model.transformer.*} or {@code conditioner.embedders.0/1.*}) read and
 * written under diffusers names.
 *
 * <ul>
 *   <li>{@link dev.vega4j.io.checkpoint.SingleFileCheckpoint#open(java.nio.file.Path)} detects the family
 *       ({@link dev.vega4j.io.checkpoint.CheckpointVariant}: SD 1.5, SDXL, SSD-1B, Segmind Vega) and pairs the file
 *       with the bundled real-size configs ({@code resources/dev/vega4j/configs/<family>/}); {@code component("unet")}
 *       etc. are {@link dev.vega4j.io.Weights} views under diffusers names, so every model loads from them unchanged:
 *       {@code UNet2DConditionModel.create(UNetConfig.fromJson(ckpt.configs().json(PipelineConfigs.UNET), src),
 *       ckpt.component("unet"))}.</li>
 *   <li>{@link dev.vega4j.io.checkpoint.SingleFileWriter} is the inverse (diffusers folder → one file).</li>
 *   <li>{@link dev.vega4j.io.checkpoint.LdmVae} reads a stand-alone LDM VAE file.</li>
 * </ul>
 *
 * <p>The renaming follows diffusers 0.26.3 {@code convert_from_ckpt.py}; only names and layouts change (OpenCLIP's
 * fused q/k/v is split, its {@code text_projection} transposed, the VAE attention's 1x1 convolutions reshaped to
 * Linear), so loading is bit-exact.
 */
package dev.vega4j.io.checkpoint;

package dev.vega4j.bench;

import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.models.vae.AutoencoderKL;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Analytic FLOP counts (2 · multiply-accumulates) of one forward pass, from a config and the input shape.
 *
 * <p>The count walks the model's own parameter list ({@code parameterShapes}), so it can never disagree with the
 * modules that are built: every conv weight {@code [out, in, k, k]} costs {@code 2·out·in·k²} per output pixel, every
 * linear weight {@code [out, in]} costs {@code 2·out·in} per token; the spatial size each module runs at follows from
 * its diffusers name (level {@code i} of the down path runs at {@code latent / 2^i}, the up path mirrors it, a
 * downsampler's conv writes half the size, an upsampler's conv the doubled one). Attention adds {@code QKᵀ} and
 * {@code PV}: {@code 2 · 2 · T · Tk · inner} per sample. Norms, activations, softmax and element-wise ops are not
 * counted (they are memory-bound extras, a few percent of the time).
 */
public final class FlopCounter {
    private FlopCounter() {}

    /** Categories of {@link Flops#breakdown()}. */
    public static final String CONV3X3 = "conv3x3", CONV1X1 = "conv1x1", FEED_FORWARD = "feed_forward",
            LINEAR = "linear", SELF_ATTENTION = "self_attention", CROSS_ATTENTION = "cross_attention";

    /** A total and where it goes (category → flops, insertion order). */
    public record Flops(double total, Map<String, Double> breakdown) {
        public Flops {
            breakdown = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(breakdown));
        }

        public double teraflops() {
            return total / 1e12;
        }
    }

    private static final Pattern LEVEL = Pattern.compile("^(down|up)_blocks\\.(\\d+)\\.");

    /**
     * One UNet forward over latents {@code [batch, in, latentH, latentW]} with a text context of {@code contextTokens}
     * tokens (77 for one CLIP chunk).
     */
    public static Flops unet(UNetConfig c, int latentH, int latentW, int batch, int contextTokens) {
        Acc acc = new Acc();
        int levels = c.levels();
        for (Map.Entry<String, int[]> e : UNet2DConditionModel.parameterShapes(c).entrySet()) {
            String name = e.getKey();
            int[] s = e.getValue();
            if (!name.endsWith(".weight") || s.length < 2) {
                continue; // biases, norm gains
            }
            int shift; // log2 of the downscale of the module's output relative to the latent
            Matcher m = LEVEL.matcher(name);
            if (m.find()) {
                int i = Integer.parseInt(m.group(2));
                shift = m.group(1).equals("down") ? i : levels - 1 - i;
                if (name.contains(".downsamplers.")) {
                    shift += 1;
                } else if (name.contains(".upsamplers.")) {
                    shift -= 1;
                }
            } else if (name.startsWith("mid_block.")) {
                shift = levels - 1;
            } else {
                shift = 0;
            }
            long pixels = (long) ceilShift(latentH, shift) * ceilShift(latentW, shift);
            if (s.length == 4) {
                conv(acc, s, (long) batch * pixels);
            } else if (name.contains("time_embedding.") || name.contains("add_embedding.")
                    || name.contains("time_emb_proj") || name.startsWith("encoder_hid_proj.")) {
                acc.add(LINEAR, 2.0 * s[0] * s[1] * batch);
            } else if (name.contains(".attn2.to_k.") || name.contains(".attn2.to_v.")) {
                acc.add(LINEAR, 2.0 * s[0] * s[1] * batch * contextTokens);
            } else {
                long tokens = (long) batch * pixels;
                acc.add(name.contains(".ff.") ? FEED_FORWARD : LINEAR, 2.0 * s[0] * s[1] * tokens);
                if (name.endsWith(".attn1.to_q.weight")) {
                    acc.add(SELF_ATTENTION, 4.0 * batch * pixels * pixels * s[0]);
                } else if (name.endsWith(".attn2.to_q.weight")) {
                    acc.add(CROSS_ATTENTION, 4.0 * batch * pixels * contextTokens * s[0]);
                }
            }
        }
        return acc.flops();
    }

    /**
     * One VAE decode ({@code post_quant_conv} + decoder) of latents {@code [batch, latent, latentH, latentW]}, untiled.
     * The decoder's up block {@code i} runs at {@code latent · 2^i}; the mid-block attention attends over every
     * latent pixel.
     */
    public static Flops vaeDecode(VaeConfig c, int latentH, int latentW, int batch) {
        Acc acc = new Acc();
        Pattern up = Pattern.compile("^decoder\\.up_blocks\\.(\\d+)\\.");
        int levels = c.blockOutChannels().length;
        for (Map.Entry<String, int[]> e : AutoencoderKL.parameterShapes(c).entrySet()) {
            String name = e.getKey();
            int[] s = e.getValue();
            if (!name.endsWith(".weight") || s.length < 2) {
                continue;
            }
            if (!name.startsWith("decoder.") && !name.startsWith("post_quant_conv.")) {
                continue;
            }
            int grow = 0; // log2 of the upscale relative to the latent
            Matcher m = up.matcher(name);
            if (m.find()) {
                grow = Integer.parseInt(m.group(1));
                if (name.contains(".upsamplers.")) {
                    grow += 1;
                }
            } else if (name.startsWith("decoder.conv_out.") || name.startsWith("decoder.conv_norm_out.")) {
                grow = levels - 1;
            }
            long pixels = ((long) latentH << grow) * ((long) latentW << grow);
            if (s.length == 4) {
                conv(acc, s, (long) batch * pixels);
            } else {
                acc.add(LINEAR, 2.0 * s[0] * s[1] * batch * pixels);
                if (name.endsWith(".to_q.weight")) {
                    acc.add(SELF_ATTENTION, 4.0 * batch * pixels * pixels * s[0]);
                }
            }
        }
        return acc.flops();
    }

    /**
     * One {@code AutoencoderTiny} decode (TAESD): every convolution of the decoder at the resolution it runs at (level
     * {@code i} at {@code latent · up^i}; the conv after an upsampling at the upsampled size).
     */
    public static Flops vaeTinyDecode(dev.vega4j.config.TinyVaeConfig c, int latentH, int latentW, int batch) {
        Acc acc = new Acc();
        int[] widths = c.decoderBlockOutChannels();
        long h = latentH, w = latentW;
        conv(acc, new int[] {widths[0], c.latentChannels(), 3, 3}, batch * h * w);
        for (int level = 0; level < widths.length; level++) {
            boolean last = level == widths.length - 1;
            int ch = widths[level];
            for (int b = 0; b < c.numDecoderBlocks()[level]; b++) {
                for (int k = 0; k < 3; k++) {
                    conv(acc, new int[] {ch, ch, 3, 3}, batch * h * w);
                }
            }
            if (!last) {
                h *= c.upsamplingScalingFactor();
                w *= c.upsamplingScalingFactor();
            }
            conv(acc, new int[] {last ? c.outChannels() : ch, ch, 3, 3}, batch * h * w);
        }
        return acc.flops();
    }

    /** One CLIP text encoder forward over {@code batch} sequences of {@code tokens} ids (embedding lookups are free). */
    public static Flops clipText(ClipTextConfig c, int tokens, int batch) {
        Acc acc = new Acc();
        double h = c.hiddenSize(), ffn = c.intermediateSize(), n = (double) tokens * batch;
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            acc.add(LINEAR, 4 * 2 * n * h * h);
            acc.add(SELF_ATTENTION, 4.0 * batch * tokens * tokens * h);
            acc.add(FEED_FORWARD, 2 * 2 * n * h * ffn);
        }
        if (c.withProjection()) {
            acc.add(LINEAR, 2.0 * batch * h * c.projectionDim()); // pooled token only
        }
        return acc.flops();
    }

    private static void conv(Acc acc, int[] s, long outputPixels) {
        double macPerPixel = (double) s[0] * s[1] * s[2] * s[3];
        acc.add(s[2] == 1 && s[3] == 1 ? CONV1X1 : CONV3X3, 2 * macPerPixel * outputPixels);
    }

    /** Size after {@code shift} stride-2 stages (padding 1 rounds up), or doubled for a negative shift. */
    private static int ceilShift(int size, int shift) {
        if (shift <= 0) {
            return size << -shift;
        }
        int s = size;
        for (int i = 0; i < shift; i++) {
            s = (s + 1) / 2;
        }
        return s;
    }

    private static final class Acc {
        private final Map<String, Double> by = new LinkedHashMap<>();

        void add(String category, double flops) {
            by.merge(category, flops, Double::sum);
        }

        Flops flops() {
            double total = 0;
            for (double v : by.values()) {
                total += v;
            }
            return new Flops(total, by);
        }
    }
}

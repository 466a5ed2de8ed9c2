package dev.vega4j.lora;

import dev.vega4j.tensor.Tensor;
import java.util.Arrays;

/**
 * One low-rank update as read from a file: {@code ΔW = (alpha / rank) · up · down}.
 *
 * @param component  which model it patches
 * @param name       the module's name in the file: a dotted diffusers path ({@code down_blocks.1.attentions.0.proj_in})
 *                   or, for kohya files, the '_'-joined name after {@code lora_unet_} / {@code lora_te1_}
 *                   (ambiguous, resolved against the model's module names)
 * @param kohyaName  whether {@code name} is the '_'-joined kohya form
 * @param down       [rank, in] or [rank, in, k, k] (a k x k convolution to rank channels)
 * @param up         [out, rank] or [out, rank, 1, 1]
 * @param alpha      the network alpha, or null when the file has none (then the update is {@code up · down}, as
 *                   diffusers treats a missing alpha)
 * @param keys       the file's keys this module was read from (for messages)
 */
public record LoraModule(LoraComponent component, String name, boolean kohyaName, Tensor down, Tensor up, Float alpha,
        String keys) {

    public int rank() {
        return down.dim(0);
    }

    /** {@code alpha / rank} as diffusers computes it ({@code network_alpha / self.rank} in Python, then float32). */
    public Float alphaOverRank() {
        return alpha == null ? null : (float) ((double) alpha / rank());
    }

    @Override
    public String toString() {
        return component.diffusersPrefix() + ":" + name + " down" + Arrays.toString(down.shape()) + " up"
                + Arrays.toString(up.shape()) + (alpha == null ? "" : " alpha " + alpha);
    }
}

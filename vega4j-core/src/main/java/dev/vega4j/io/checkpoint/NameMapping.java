package dev.vega4j.io.checkpoint;

import java.util.List;

/**
 * The naming of one pipeline component in a single-file checkpoint versus its diffusers folder. Names are local: the
 * single-file side without the component's prefix ({@code model.diffusion_model.} ...), the diffusers side as in the
 * component's own safetensors file.
 */
public interface NameMapping {

    /** Diffusers names (with transforms) that a single-file tensor provides: none for buffers diffusers does not keep
     * (EMA copies, {@code logit_scale}), several for OpenCLIP's fused q/k/v. */
    List<Mapped> toDiffusers(String singleFileName);

    /** The single-file name (and transform) a diffusers tensor comes from, or null when the layout has no place for it. */
    Mapped toSingleFile(String diffusersName);
}

package dev.vega4j.models.vae;

import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.ResnetBlock2D;
import dev.vega4j.models.layers.Upsample2D;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** diffusers {@code UpDecoderBlock2D}: resnets without time embedding or skips, then an optional x2 upsampler. */
public final class UpDecoderBlock2D {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final Upsample2D upsampler;

    /** @param resnet the settings every resnet shares (no time embedding) */
    UpDecoderBlock2D(Params p, int in, int out, int numLayers, boolean addUpsample, ResnetBlock2D.Options resnet) {
        for (int i = 0; i < numLayers; i++) {
            resnets.add(new ResnetBlock2D(p.sub("resnets").sub(i), i == 0 ? in : out, out, resnet));
        }
        this.upsampler = addUpsample ? new Upsample2D(p.sub("upsamplers").sub(0), out, out) : null;
    }

    Tensor forward(Tensor x) {
        Tensor h = x;
        for (ResnetBlock2D r : resnets) {
            h = r.forward(h, null);
        }
        return upsampler == null ? h : upsampler.forward(h, null);
    }
}

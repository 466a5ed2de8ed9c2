package dev.vega4j.models.vae;

import dev.vega4j.models.layers.Downsample2D;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.ResnetBlock2D;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code DownEncoderBlock2D}: resnets without time embedding, then a downsampler with {@code padding=0}
 * (asymmetric bottom/right zero pad, see {@link Downsample2D}).
 */
public final class DownEncoderBlock2D {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final Downsample2D downsampler;

    /** @param resnet the settings every resnet shares (no time embedding) */
    DownEncoderBlock2D(Params p, int in, int out, int numLayers, boolean addDownsample, ResnetBlock2D.Options resnet) {
        for (int i = 0; i < numLayers; i++) {
            resnets.add(new ResnetBlock2D(p.sub("resnets").sub(i), i == 0 ? in : out, out, resnet));
        }
        this.downsampler = addDownsample ? new Downsample2D(p.sub("downsamplers").sub(0), out, out, 0) : null;
    }

    Tensor forward(Tensor x) {
        Tensor h = x;
        for (ResnetBlock2D r : resnets) {
            h = r.forward(h, null);
        }
        return downsampler == null ? h : downsampler.forward(h);
    }
}

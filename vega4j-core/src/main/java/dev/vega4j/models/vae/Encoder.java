package dev.vega4j.models.vae;

import dev.vega4j.VegaException;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.models.layers.Activation;
import dev.vega4j.models.layers.Conv2d;
import dev.vega4j.models.layers.GroupNorm;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.unet.UNetMidBlock2D;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code Encoder} ({@code models/autoencoders/vae.py}) with {@code double_z=True}: image [N, 3, H, W] →
 * moments [N, 2·latent, H/f, W/f] (mean and log-variance halves). Norms use eps 1e-6.
 */
public final class Encoder {
    static final float EPS = 1e-6f;

    private final Conv2d convIn;
    private final List<DownEncoderBlock2D> downBlocks = new ArrayList<>();
    private final UNetMidBlock2D midBlock;
    private final GroupNorm convNormOut;
    private final Activation act;
    private final Conv2d convOut;

    Encoder(Params p, VaeConfig c) {
        int[] boc = c.blockOutChannels();
        int groups = c.normNumGroups();
        this.act = Activation.of(c.actFn(), "VAE config");
        this.convIn = Conv2d.same(p.sub("conv_in"), c.inChannels(), boc[0], 3);
        int out = boc[0];
        for (int i = 0; i < boc.length; i++) {
            if (!"DownEncoderBlock2D".equals(c.downBlockTypes().get(i))) {
                throw new VegaException("VAE config: down block type '" + c.downBlockTypes().get(i)
                        + "' is not supported (DownEncoderBlock2D)");
            }
            int in = out;
            out = boc[i];
            downBlocks.add(new DownEncoderBlock2D(p.sub("down_blocks").sub(i), in, out, c.layersPerBlock(),
                    i < boc.length - 1, groups, EPS, act));
        }
        int last = boc[boc.length - 1];
        this.midBlock = new UNetMidBlock2D(p.sub("mid_block"), last, 0, 1, c.midBlockAddAttention(), last, EPS, act,
                groups, 1f);
        this.convNormOut = new GroupNorm(p.sub("conv_norm_out"), groups, last, EPS);
        this.convOut = Conv2d.same(p.sub("conv_out"), last, 2 * c.latentChannels(), 3);
    }

    Tensor forward(Tensor x) {
        Tensor h = convIn.forward(x);
        for (DownEncoderBlock2D b : downBlocks) {
            h = b.forward(h);
        }
        h = midBlock.forward(h, null);
        h = act == Activation.SILU ? convNormOut.forwardSilu(h) : act.apply(convNormOut.forward(h));
        return convOut.forward(h);
    }
}

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
 * diffusers {@code Decoder} ({@code models/autoencoders/vae.py}): latents [N, latent, h, w] → image
 * [N, out, h·f, w·f]; up blocks have {@code layers_per_block + 1} resnets, channels in reversed order.
 */
public final class Decoder {
    private final Conv2d convIn;
    private final UNetMidBlock2D midBlock;
    private final List<UpDecoderBlock2D> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Activation act;
    private final Conv2d convOut;

    Decoder(Params p, VaeConfig c) {
        int[] boc = c.blockOutChannels();
        int groups = c.normNumGroups();
        float eps = Encoder.EPS;
        this.act = Activation.of(c.actFn(), "VAE config");
        int last = boc[boc.length - 1];
        this.convIn = Conv2d.same(p.sub("conv_in"), c.latentChannels(), last, 3);
        this.midBlock = Encoder.midBlock(p.sub("mid_block"), c, act);
        int out = last;
        for (int i = 0; i < boc.length; i++) {
            if (!"UpDecoderBlock2D".equals(c.upBlockTypes().get(i))) {
                throw new VegaException("VAE config: up block type '" + c.upBlockTypes().get(i)
                        + "' is not supported (UpDecoderBlock2D)");
            }
            int prev = out;
            out = boc[boc.length - 1 - i];
            upBlocks.add(new UpDecoderBlock2D(p.sub("up_blocks").sub(i), prev, out, c.layersPerBlock() + 1,
                    i < boc.length - 1, Encoder.resnetOptions(c, act)));
        }
        this.convNormOut = new GroupNorm(p.sub("conv_norm_out"), groups, boc[0], eps);
        this.convOut = Conv2d.same(p.sub("conv_out"), boc[0], c.outChannels(), 3);
    }

    Tensor forward(Tensor z) {
        Tensor h = convIn.forward(z);
        h = midBlock.forward(h, null);
        for (UpDecoderBlock2D b : upBlocks) {
            h = b.forward(h);
        }
        h = act == Activation.SILU ? convNormOut.forwardSilu(h) : act.apply(convNormOut.forward(h));
        return convOut.forward(h);
    }
}

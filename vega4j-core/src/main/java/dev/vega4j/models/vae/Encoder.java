package dev.vega4j.models.vae;

import dev.vega4j.VegaException;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.models.layers.Activation;
import dev.vega4j.models.layers.Conv2d;
import dev.vega4j.models.layers.GroupNorm;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.ResnetBlock2D;
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
                    i < boc.length - 1, resnetOptions(c, act)));
        }
        int last = boc[boc.length - 1];
        this.midBlock = midBlock(p.sub("mid_block"), c, act);
        this.convNormOut = new GroupNorm(p.sub("conv_norm_out"), groups, last, EPS);
        this.convOut = Conv2d.same(p.sub("conv_out"), last, 2 * c.latentChannels(), 3);
    }

    /** What the VAE's resnets share: {@code temb_channels=None}, the config's groups, eps 1e-6. */
    static ResnetBlock2D.Options resnetOptions(VaeConfig c, Activation act) {
        return ResnetBlock2D.Options.builder().tembChannels(0).groups(c.normNumGroups()).eps(EPS).nonLinearity(act)
                .build();
    }

    /**
     * The encoder's and decoder's {@code mid_block}: {@code UNetMidBlock2D(in_channels=block_out_channels[-1],
     * temb_channels=None, attention_head_dim=block_out_channels[-1], add_attention=mid_block_add_attention)}.
     */
    static UNetMidBlock2D midBlock(Params p, VaeConfig c, Activation act) {
        int last = c.blockOutChannels()[c.blockOutChannels().length - 1];
        return new UNetMidBlock2D(p, UNetMidBlock2D.Options.builder()
                .inChannels(last)
                .tembChannels(0)
                .numLayers(1)
                .addAttention(c.midBlockAddAttention())
                .attentionHeadDim(last)
                .resnetEps(EPS)
                .resnetActFn(act)
                .resnetGroups(c.normNumGroups())
                .build());
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

package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/** Shared helpers of the UNet blocks: optional gradient checkpointing around resnets and transformers. */
final class Blocks {
    private Blocks() {}

    static Var resnet(ResnetBlock2D r, Var x, Var temb, boolean checkpoint) {
        return checkpoint ? F.checkpoint(in -> r.forward(in[0], in[1]), x, temb) : r.forward(x, temb);
    }

    static Var transformer(Transformer2DModel t, Var x, Var context, boolean checkpoint) {
        return checkpoint ? F.checkpoint(in -> t.forward(in[0], in[1]), x, context) : t.forward(x, context);
    }
}

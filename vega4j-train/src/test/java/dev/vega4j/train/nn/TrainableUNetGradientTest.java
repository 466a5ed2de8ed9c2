package dev.vega4j.train.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.train.autograd.Autograd;
import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.GradCheck;
import dev.vega4j.train.autograd.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole-UNet gradient checks: every parameter and the latent at once, along one random direction. */
class TrainableUNetGradientTest {

    private static Tensor randn(Random r, float scale, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) r.nextGaussian() * scale;
        }
        return t;
    }

    private record Inputs(Var sample, Var context, Var textEmbeds, Var timeIds) {}

    private static Inputs inputs(TrainableUNet unet, int h, int w) {
        Random r = new Random(5);
        var c = unet.config();
        Var sample = Var.parameter(randn(r, 1f, 1, c.inChannels(), h, w));
        Var ctx = Var.constant(randn(r, 1f, 1, 3, c.crossAttentionDim()[0]));
        Var text = null, ids = null;
        if (c.additionTimeEmbedDim() != null) {
            int p = c.projectionClassEmbeddingsInputDim() - 6 * c.additionTimeEmbedDim();
            text = Var.constant(randn(r, 1f, 1, p));
            ids = Var.constant(Tensor.of(new float[] {32, 48, 0, 0, 32, 48}, 1, 6));
        }
        return new Inputs(sample, ctx, text, ids);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-vega", "tiny-sdxl"})
    void wholeUNetGradient(String model) {
        TrainableUNet unet = TrainableUNetGoldenTest.load(Golden.root().resolve(model));
        Inputs in = inputs(unet, 4, 6);
        List<Var> wrt = new ArrayList<>(unet.parameters().values());
        wrt.add(in.sample());
        // h is per element of an N(0, 1) direction over ~10⁶ parameters: 1e-3 keeps the step in the linear regime
        GradCheck.Result r = GradCheck.check(() -> unet.forward(in.sample(), new float[] {421f}, in.context(),
                in.textEmbeds(), in.timeIds(), null), wrt, 1e-3, 3);
        System.out.println(model + " whole UNet (" + unet.parameterCount() + " params): " + r);
        assertThat(r.rel()).as(r.toString()).isLessThan(1e-3);
    }

    @Test
    void gradientCheckpointingGivesTheSameGradients() {
        TrainableUNet unet = TrainableUNetGoldenTest.load(Golden.root().resolve("tiny-vega"));
        Inputs in = inputs(unet, 4, 4);
        Tensor proj = randn(new Random(9), 1f, 1, 4, 4, 4);
        Autograd.backward(F.dot(unet.forward(in.sample(), new float[] {10f}, in.context(), in.textEmbeds(),
                in.timeIds(), null), proj));
        List<float[]> plain = new ArrayList<>();
        for (Var p : unet.parameters().values()) {
            plain.add(p.grad().data().clone());
            p.zeroGrad();
        }
        unet.setGradientCheckpointing(true);
        Autograd.backward(F.dot(unet.forward(in.sample(), new float[] {10f}, in.context(), in.textEmbeds(),
                in.timeIds(), null), proj));
        int i = 0;
        for (Var p : unet.parameters().values()) {
            float[] a = p.grad().data(), b = plain.get(i++);
            for (int j = 0; j < a.length; j++) {
                assertThat((double) a[j]).isCloseTo(b[j], org.assertj.core.api.Assertions.within(1e-5 * (1 + Math.abs(b[j]))));
            }
        }
    }
}

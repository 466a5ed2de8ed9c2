package dev.vega4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.io.MapWeights;
import dev.vega4j.models.layers.AdaptableLayer;
import dev.vega4j.models.layers.Conv2d;
import dev.vega4j.models.layers.Linear;
import dev.vega4j.models.layers.Params;
import dev.vega4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** LoRA on small synthetic layers against naive double-precision reference formulas. */
class LoraLayersTest {
    private static final Random RND = new Random(7);

    static Tensor randn(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) RND.nextGaussian();
        }
        return t;
    }

    private static Conv2d conv(int in, int out, int k, int stride, int pad) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("conv.weight", randn(out, in, k, k));
        w.put("conv.bias", randn(out));
        Params p = Params.from(new MapWeights(w, "test"));
        Conv2d c = new Conv2d(p.sub("conv"), in, out, k, stride, pad, true);
        p.finish();
        return c;
    }

    private static Linear linear(String name, int in, int out) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put(name + ".weight", randn(out, in));
        w.put(name + ".bias", randn(out));
        Params p = Params.from(new MapWeights(w, "test"));
        Linear l = new Linear(p.sub(name), in, out, true);
        p.finish();
        return l;
    }

    /** Naive conv2d in double: x [B, C, H, W], w [O, C, k, k]. */
    static double[] naiveConv(Tensor x, double[] w, int o, int k, int stride, int pad, float[] bias) {
        int b = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int oh = (h + 2 * pad - k) / stride + 1, ow = (wd + 2 * pad - k) / stride + 1;
        double[] y = new double[b * o * oh * ow];
        for (int bi = 0; bi < b; bi++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < c; ic++) {
                            for (int u = 0; u < k; u++) {
                                for (int v = 0; v < k; v++) {
                                    int yy = i * stride - pad + u, xx = j * stride - pad + v;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < wd) {
                                        s += w[((oc * c + ic) * k + u) * k + v] * x.get(bi, ic, yy, xx);
                                    }
                                }
                            }
                        }
                        y[((bi * o + oc) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /** W + scale * (alpha / rank) * up @ down, in double, for any weight rank. */
    static double[] mergedWeight(Tensor w, Tensor up, Tensor down, double alphaOverRank, double scale) {
        int out = up.dim(0), r = up.dim(1), cols = down.numel() / r;
        double[] m = new double[w.numel()];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += (double) up.data()[o * r + k] * down.data()[k * cols + c];
                }
                m[o * cols + c] = w.data()[o * cols + c] + scale * alphaOverRank * s;
            }
        }
        return m;
    }

    static void assertClose(float[] ours, double[] ref, double tol) {
        assertThat(ours.length).isEqualTo(ref.length);
        for (int i = 0; i < ref.length; i++) {
            assertThat((double) ours[i]).as("element %d", i).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(
                    tol * Math.max(1, Math.abs(ref[i]))));
        }
    }

    private static LoraTargets targets(String name, AdaptableLayer layer) {
        return LoraTargets.of(Map.of(LoraComponent.UNET, Map.of(name, layer)), null);
    }

    @Test
    void convLoraOnA3x3ConvolutionMatchesTheNaiveFormulaUnfusedAndFused() {
        for (int stride : new int[] {1, 2}) {
            Conv2d c = conv(3, 5, 3, stride, 1);
            float[] w0 = c.weight().toFloat32().data().clone();
            Tensor down = randn(2, 3, 3, 3), up = randn(5, 2, 1, 1);
            Map<String, Tensor> file = new LinkedHashMap<>();
            file.put("lora_unet_conv.lora_down.weight", down);
            file.put("lora_unet_conv.lora_up.weight", up);
            file.put("lora_unet_conv.alpha", Tensor.scalar(1f)); // alpha/rank = 0.5
            LoraAdapter a = LoraAdapter.fromTensors("conv-lora", file);
            Tensor x = randn(2, 3, 7, 6);
            double[] ref = naiveConv(x, mergedWeight(c.weight(), up, down, 0.5, 0.75), 5, 3, stride, 1,
                    c.bias().data());

            LoraTargets t = targets("conv", c);
            try (ActiveLora l = t.attach(a, 1f)) {
                l.setUnetScale(0.75f);
                assertClose(c.forward(x).data(), ref, 1e-5);
            }
            try (FusedLora f = t.fuse(a, 0.75f)) {
                assertClose(c.forward(x).data(), ref, 1e-5);
            }
            assertThat(c.weight().toFloat32().data()).isEqualTo(w0);
            assertThat(c.deltas().isEmpty()).isTrue();
        }
    }

    @Test
    void aLinearShapedLoraFitsA1x1ConvolutionAndTheOtherWayRound() {
        Conv2d c = conv(4, 6, 1, 1, 0);
        Tensor down = randn(3, 4), up = randn(6, 3);
        LoraAdapter a = LoraAdapter.fromTensors("2d-on-conv", Map.of("unet.conv.lora.down.weight", down,
                "unet.conv.lora.up.weight", up));
        Tensor x = randn(1, 4, 3, 5);
        double[] ref = naiveConv(x, mergedWeight(c.weight(), up, down, 1, 1), 6, 1, 1, 0, c.bias().data());
        try (ActiveLora l = targets("conv", c).attach(a, 1f)) {
            assertClose(c.forward(x).data(), ref, 1e-5);
        }

        Linear lin = linear("proj", 4, 6);
        LoraAdapter a4 = LoraAdapter.fromTensors("4d-on-linear", Map.of("unet.proj.lora_A.weight",
                down.reshape(3, 4, 1, 1), "unet.proj.lora_B.weight", up.reshape(6, 3, 1, 1)));
        Tensor xl = randn(2, 5, 4);
        try (ActiveLora l = targets("proj", lin).attach(a4, 1f)) {
            float[] ours = lin.forward(xl).data();
            double[] w = mergedWeight(lin.weight(), up, down, 1, 1);
            double[] refL = new double[2 * 5 * 6];
            for (int r = 0; r < 10; r++) {
                for (int o = 0; o < 6; o++) {
                    double s = lin.bias().data()[o];
                    for (int i = 0; i < 4; i++) {
                        s += w[o * 4 + i] * xl.data()[r * 4 + i];
                    }
                    refL[r * 6 + o] = s;
                }
            }
            assertClose(ours, refL, 1e-5);
        }
    }

    @Test
    void twoAdaptersAtOnceAddUpAndUnfuseInReverseOrderRestoresTheWeightsBitForBit() {
        Linear lin = linear("fc", 8, 5);
        float[] w0 = lin.weight().toFloat32().data().clone();
        Tensor d1 = randn(2, 8), u1 = randn(5, 2), d2 = randn(3, 8), u2 = randn(5, 3);
        LoraAdapter a1 = LoraAdapter.fromTensors("one", Map.of("lora_unet_fc.lora_down.weight", d1,
                "lora_unet_fc.lora_up.weight", u1, "lora_unet_fc.alpha", Tensor.scalar(4f)));
        LoraAdapter a2 = LoraAdapter.fromTensors("two", Map.of("unet.fc.lora.down.weight", d2,
                "unet.fc.lora.up.weight", u2));
        Tensor x = randn(3, 8);
        double[] w1 = mergedWeight(lin.weight(), u1, d1, 2.0, 0.8);
        double[] w12 = new double[w1.length];
        double[] extra = mergedWeight(Tensor.zeros(5, 8), u2, d2, 1.0, -0.5);
        for (int i = 0; i < w1.length; i++) {
            w12[i] = w1[i] + extra[i];
        }
        double[] ref = new double[3 * 5];
        for (int r = 0; r < 3; r++) {
            for (int o = 0; o < 5; o++) {
                double s = lin.bias().data()[o];
                for (int i = 0; i < 8; i++) {
                    s += w12[o * 8 + i] * x.data()[r * 8 + i];
                }
                ref[r * 5 + o] = s;
            }
        }
        LoraTargets t = targets("fc", lin);
        try (ActiveLora l1 = t.attach(a1, 0.8f); ActiveLora l2 = t.attach(a2, -0.5f)) {
            assertThat(lin.deltas().size()).isEqualTo(2);
            assertClose(lin.forward(x).data(), ref, 1e-5);
        }
        assertThat(lin.deltas().isEmpty()).isTrue();

        FusedLora f1 = t.fuse(a1, 0.8f);
        float[] afterOne = lin.weight().toFloat32().data().clone();
        FusedLora f2 = t.fuse(a2, -0.5f);
        assertClose(lin.forward(x).data(), ref, 1e-5);
        assertThatThrownBy(f1::unfuse).isInstanceOf(LoraException.class).hasMessageContaining("must be unfused first");
        f2.unfuse();
        assertThat(lin.weight().toFloat32().data()).isEqualTo(afterOne);
        f1.unfuse();
        f1.unfuse(); // idempotent
        assertThat(lin.weight().toFloat32().data()).isEqualTo(w0);
    }

    @Test
    void fusingWithoutOriginalsUnfusesBySubtractingLikeDiffusers() {
        Linear lin = linear("fc", 8, 5);
        float[] w0 = lin.weight().toFloat32().data().clone();
        LoraAdapter a = LoraAdapter.fromTensors("one", Map.of("lora_unet_fc.lora_down.weight", randn(2, 8),
                "lora_unet_fc.lora_up.weight", randn(5, 2), "lora_unet_fc.alpha", Tensor.scalar(3f)));
        FusedLora f = targets("fc", lin).fuse(a, 0.6f, false);
        assertThat(lin.weight().toFloat32().data()).isNotEqualTo(w0);
        f.unfuse();
        double[] ref = new double[w0.length];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = w0[i];
        }
        assertClose(lin.weight().toFloat32().data(), ref, 1e-6);
    }

    @Test
    void keysOfUnknownLayoutsAndLycorisVariantsAreRejectedByName() {
        assertThatThrownBy(() -> LoraAdapter.fromTensors("x", Map.of("model.some.weight", randn(2, 2))))
                .isInstanceOf(LoraException.class).hasMessageContaining("model.some.weight")
                .hasMessageContaining("no known LoRA layout");
        assertThatThrownBy(() -> LoraAdapter.fromTensors("x", Map.of("lora_unet_a_b.hada_w1_a", randn(2, 2))))
                .isInstanceOf(LoraException.class).hasMessageContaining("LoHa").hasMessageContaining("hada_w1_a");
        assertThatThrownBy(() -> LoraAdapter.fromTensors("x", Map.of("lora_unet_a_b.lora_down.weight", randn(2, 2))))
                .isInstanceOf(LoraException.class).hasMessageContaining("no up weight");
    }

    @Test
    void peftKeysWithBaseModelPrefixAndAdapterNameParse() {
        LoraAdapter a = LoraAdapter.fromTensors("peft", Map.of(
                "base_model.model.down_blocks.0.attentions.0.proj_in.lora_A.default.weight", randn(2, 4),
                "base_model.model.down_blocks.0.attentions.0.proj_in.lora_B.default.weight", randn(6, 2)));
        assertThat(a.formats()).containsExactly(LoraFormat.PEFT);
        assertThat(a.modules()).singleElement().satisfies(m -> {
            assertThat(m.component()).isEqualTo(LoraComponent.UNET);
            assertThat(m.name()).isEqualTo("down_blocks.0.attentions.0.proj_in");
            assertThat(m.alpha()).isNull();
        });
    }
}

package dev.vega4j.lora;

import dev.vega4j.conformance.LoraConformance;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.Golden;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.models.layers.AdaptableLayer;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.io.DType;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.io.checkpoint.Mappings;
import dev.vega4j.io.checkpoint.NameMapping;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LCM-LoRA-style adapters (latent-consistency/lcm-lora-sdxl, segmind/Segmind-VegaRT) on tiny-vega: every module type
 * those files carry, in each key layout they can come in, loads with no unmatched key, and the model with it attached
 * (unfused) or fused equals the model whose weights were merged by hand, {@code W + alpha/rank · up @ down} in double
 * (for convolutions: the down kxk convolution with the layer's stride and padding followed by the 1x1 up convolution
 * is the kxk convolution with {@code up @ down.flatten(1)}, which is what diffusers' {@code LoRACompatibleConv._fuse_lora}
 * merges).
 *
 * <p>Module set: the UNet LoRA target modules of diffusers' LCM-LoRA distillation script
 * ({@code examples/consistency_distillation/train_lcm_distill_lora_sdxl.py}: {@code to_q, to_k, to_v, to_out.0,
 * proj_in, proj_out, ff.net.0.proj, ff.net.2, conv1, conv2, conv_shortcut, downsamplers.0.conv, upsamplers.0.conv,
 * time_emb_proj}, matched by PEFT as module-name suffixes), no text-encoder modules. Layouts: kohya
 * ({@code lora_unet_<path with '_'>.lora_down.weight / .lora_up.weight / .alpha}: the released lcm-lora-sdxl file,
 * which finegrain-ai/refiners' {@code stable_diffusion_xl/lcm_lora.py} loads asserting every key starts with
 * {@code lora_unet_}, at scale 1/8 = alpha 8 / rank 64), diffusers ({@code unet.<path>.lora.down.weight}, what the
 * script's {@code save_lora_weights} writes after {@code convert_state_dict_to_diffusers}) and PEFT
 * ({@code get_peft_model_state_dict}: {@code unet.<path>.lora_A.weight} as the current script saves it,
 * {@code base_model.model.<path>...} of a {@code get_peft_model} wrapper, and {@code unet.base_model.model.<path>...}
 * as the late-2023 {@code *_wds.py} scripts saved that wrapper).
 */
class LcmLoraLayoutTest {
    static final List<String> LCM_TARGETS = List.of("to_q", "to_k", "to_v", "to_out.0", "proj_in", "proj_out",
            "ff.net.0.proj", "ff.net.2", "conv1", "conv2", "conv_shortcut", "downsamplers.0.conv", "upsamplers.0.conv",
            "time_emb_proj");
    private static final int RANK = 4;
    private static final float ALPHA = 2f; // alpha / rank = 0.5

    private static GoldenCase golden;
    private static LoraConformance.Model model;
    private static Map<String, Tensor[]> factors; // module path -> {down, up}
    private static Tensor base;
    private static Tensor merged;

    @BeforeAll
    static void load() {
        GoldenGroup g = GoldenGroup.load(Golden.root(), "lora");
        golden = g.cases().get(0);
        model = LoraConformance.Model.load(golden.modelDir());
        factors = new TreeMap<>();
        Random rnd = new Random(11);
        for (Map.Entry<String, AdaptableLayer> e : model.targets().layers(LoraComponent.UNET).entrySet()) {
            String path = e.getKey();
            if (LCM_TARGETS.stream().noneMatch(t -> path.equals(t) || path.endsWith("." + t))) {
                continue;
            }
            int[] w = e.getValue().weight().shape();
            Tensor down = w.length == 4 ? randn(rnd, 0.05, RANK, w[1], w[2], w[3]) : randn(rnd, 0.05, RANK, w[1]);
            Tensor up = w.length == 4 ? randn(rnd, 0.05, w[0], RANK, 1, 1) : randn(rnd, 0.05, w[0], RANK);
            factors.put(path, new Tensor[] {down, up});
        }
        base = model.unet(golden, 999f);
        // the hand-merged model: W + (alpha / rank) · up @ down.flatten(1), in double, on a second copy
        LoraConformance.Model copy = LoraConformance.Model.load(golden.modelDir());
        Map<String, AdaptableLayer> layers = copy.targets().layers(LoraComponent.UNET);
        for (Map.Entry<String, Tensor[]> f : factors.entrySet()) {
            // merged into a heap copy: the loaded weight may be read-only (memory-mapped)
            Tensor w = layers.get(f.getKey()).weight().copy();
            layers.get(f.getKey()).setWeight(w);
            float[] d = f.getValue()[0].data(), u = f.getValue()[1].data();
            int out = w.dim(0), cols = w.numel() / out;
            for (int o = 0; o < out; o++) {
                for (int c = 0; c < cols; c++) {
                    double s = 0;
                    for (int k = 0; k < RANK; k++) {
                        s += (double) u[o * RANK + k] * d[k * cols + c];
                    }
                    w.data()[o * cols + c] = (float) (w.data()[o * cols + c] + (double) ALPHA / RANK * s);
                }
            }
            Ops.get().weightChanged(w);
        }
        merged = copy.unet(golden, 999f);
    }

    @AfterAll
    static void close() {
        golden.close();
    }

    static Tensor randn(Random rnd, double sd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) (sd * rnd.nextGaussian());
        }
        return t;
    }

    /** The synthetic adapter under one key layout; {@code name} maps a module path to its key stem. */
    private static Map<String, Tensor> file(Function<String, String> name, String down, String up, String alpha) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor[]> f : factors.entrySet()) {
            String stem = name.apply(f.getKey());
            m.put(stem + down, f.getValue()[0]);
            if (alpha != null) {
                m.put(stem + alpha, Tensor.scalar(ALPHA));
                m.put(stem + up, f.getValue()[1]);
            } else {
                // no alpha in the file: diffusers/PEFT files carry the alpha/rank factor in up
                Tensor u = f.getValue()[1].copy();
                for (int i = 0; i < u.numel(); i++) {
                    u.data()[i] *= ALPHA / RANK; // 0.5: exact
                }
                m.put(stem + up, u);
            }
        }
        return m;
    }

    @Test
    void everyLcmTargetModuleTypeExistsInTinyVega() {
        for (String t : LCM_TARGETS) {
            assertThat(factors.keySet()).as(t).anyMatch(p -> p.endsWith("." + t));
        }
        assertThat(factors.keySet().stream().filter(p -> model.targets().layers(LoraComponent.UNET).get(p).conv() != null))
                .as("convolution targets").contains("down_blocks.0.downsamplers.0.conv", "up_blocks.0.upsamplers.0.conv",
                        "down_blocks.1.resnets.0.conv_shortcut", "down_blocks.0.resnets.0.conv1");
    }

    @Test
    void kohyaLayoutOfTheReleasedLcmLoraSdxlFile() {
        check(LoraAdapter.fromTensors("lcm-kohya", file(p -> "lora_unet_" + p.replace('.', '_'), ".lora_down.weight",
                ".lora_up.weight", ".alpha")));
    }

    @Test
    void kohyaLayoutWithOriginalSgmBlockNames() {
        // kohya sd-scripts' SDXL LoCon naming: the convolutions under their LDM names (in_layers.2, out_layers.3,
        // emb_layers.1, skip_connection, op, output_blocks.i.j.conv)
        NameMapping sgm = Mappings.unet(LoraTargets.layout(model.unet().config()));
        Map<String, String> names = new TreeMap<>();
        for (String p : factors.keySet()) {
            String single = sgm.toSingleFile(p + ".weight").name();
            names.put(p, "lora_unet_" + single.substring(0, single.length() - ".weight".length()).replace('.', '_'));
        }
        assertThat(names.values()).contains("lora_unet_input_blocks_1_0_in_layers_2",
                "lora_unet_input_blocks_1_0_out_layers_3", "lora_unet_input_blocks_1_0_emb_layers_1",
                "lora_unet_input_blocks_3_0_op", "lora_unet_input_blocks_4_0_skip_connection",
                "lora_unet_output_blocks_2_2_conv", "lora_unet_input_blocks_4_1_proj_in",
                "lora_unet_output_blocks_0_1_transformer_blocks_0_ff_net_0_proj");
        check(LoraAdapter.fromTensors("lcm-kohya-sgm", file(names::get, ".lora_down.weight", ".lora_up.weight",
                ".alpha")));
    }

    @Test
    void diffusersLayoutOfTheDistillationScript() {
        check(LoraAdapter.fromTensors("lcm-diffusers", file(p -> "unet." + p, ".lora.down.weight", ".lora.up.weight",
                null)));
    }

    @Test
    void peftLayoutAsTheCurrentDistillationScriptSavesIt() {
        // unet.add_adapter + get_peft_model_state_dict + save_lora_weights
        check(LoraAdapter.fromTensors("lcm-peft-unet", file(p -> "unet." + p, ".lora_A.weight", ".lora_B.weight",
                null)));
    }

    @Test
    void rawPeftLayoutOfAGetPeftModelWrapper() {
        check(LoraAdapter.fromTensors("lcm-peft", file(p -> "base_model.model." + p, ".lora_A.weight",
                ".lora_B.weight", null)));
    }

    @Test
    void peftLayoutOfTheLate2023DistillationScripts() {
        // get_peft_model wrapper saved through save_lora_weights: the unet. prefix in front of base_model.model.
        check(LoraAdapter.fromTensors("lcm-peft-wds", file(p -> "unet.base_model.model." + p, ".lora_A.default.weight",
                ".lora_B.default.weight", null)));
    }

    @Test
    void kohyaFileInHalfPrecisionWithScalarAlphasAndMetadataLoadsFromDisk(@TempDir Path dir) {
        // the released file is F16 throughout, alphas included (0-d tensors), with an ss_* style metadata header
        Map<String, Tensor> tensors = file(p -> "lora_unet_" + p.replace('.', '_'), ".lora_down.weight",
                ".lora_up.weight", ".alpha");
        Path f = dir.resolve("pytorch_lora_weights.safetensors");
        SafetensorsWriter.write(f, tensors, Map.of("ss_network_module", "networks.lora", "ss_network_dim",
                String.valueOf(RANK)), DType.F16);
        LoraAdapter a = LoraAdapter.load(f);
        assertThat(a.formats()).containsExactly(LoraFormat.KOHYA);
        assertThat(model.targets().resolve(a)).hasSize(factors.size());
        for (LoraModule m : a.modules()) {
            assertThat(m.alpha()).isEqualTo(ALPHA);
            Tensor down = tensors.get("lora_unet_" + m.name() + ".lora_down.weight");
            assertThat(m.down().shape()).isEqualTo(down.shape());
            for (int i = 0; i < down.numel(); i++) {
                assertThat(m.down().data()[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(down.data()[i])));
            }
        }
    }

    private static void check(LoraAdapter adapter) {
        LoraTargets targets = model.targets();
        assertThat(targets.resolve(adapter)).hasSize(factors.size()); // throws on any unmatched key
        Tensor unfused;
        try (ActiveLora lora = targets.attach(adapter, 1f)) {
            unfused = model.unet(golden, 999f);
        }
        FusedLora f = targets.fuse(adapter, 1f);
        Tensor fused;
        try {
            fused = model.unet(golden, 999f);
        } finally {
            f.unfuse();
        }
        // the adapter matters (the output moves by percents) and the case stays well-conditioned
        assertThat(Comparison.maxRel("", merged, base, 1).metric()).isGreaterThan(1e-2);
        assertThat(Comparison.maxRel("unfused vs hand-merged", unfused, merged, 1e-4).metric()).isLessThan(1e-5);
        assertThat(Comparison.maxRel("fused vs hand-merged", fused, merged, 1e-4).metric()).isLessThan(1e-5);
        assertThat(Comparison.maxRel("after unfuse", model.unet(golden, 999f), base, 0).metric()).isZero();
    }
}

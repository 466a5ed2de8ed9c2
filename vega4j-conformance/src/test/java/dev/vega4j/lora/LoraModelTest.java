package dev.vega4j.lora;

import dev.vega4j.conformance.LoraConformance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.Golden;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.io.checkpoint.Mappings;
import dev.vega4j.io.checkpoint.NameMapping;
import dev.vega4j.models.layers.AdaptableLayer;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LoRA on the tiny-vega pipeline with the golden adapters (cases/lora). */
class LoraModelTest {
    private static GoldenCase golden;
    private static LoraConformance.Model model;
    private static Path kohyaFile;

    @BeforeAll
    static void load() {
        GoldenGroup g = GoldenGroup.load(Golden.root(), "lora");
        golden = g.cases().get(0);
        model = LoraConformance.Model.load(golden.modelDir());
        kohyaFile = g.dir().resolve(golden.json().get("lora_files").get("kohya").asText());
    }

    @AfterAll
    static void close() {
        golden.close();
    }

    private static Map<String, Tensor> readAll(Path file) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String k : f.tensors().keySet()) {
                m.put(k, f.load(k));
            }
        }
        return m;
    }

    @Test
    void kohyaFileWithOriginalSdxlBlockNamesGivesTheSameModelAsDiffusersNames() {
        NameMapping sgm = Mappings.unet(LoraTargets.layout(model.unet().config()));
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        int changed = 0;
        for (Map.Entry<String, Tensor> e : readAll(kohyaFile).entrySet()) {
            String k = e.getKey();
            if (k.startsWith("lora_unet_")) {
                String stem = k.substring("lora_unet_".length(), k.indexOf('.'));
                String path = model.unet().adaptableLayers().keySet().stream()
                        .filter(p -> p.replace('.', '_').equals(stem)).findFirst().orElseThrow();
                String single = sgm.toSingleFile(path + ".weight").name();
                String sgmStem = single.substring(0, single.length() - ".weight".length()).replace('.', '_');
                k = "lora_unet_" + sgmStem + k.substring(k.indexOf('.'));
                changed += sgmStem.equals(stem) ? 0 : 1;
            }
            renamed.put(k, e.getValue());
        }
        assertThat(changed).isGreaterThan(0);
        assertThat(renamed.keySet()).anyMatch(k -> k.startsWith("lora_unet_input_blocks_4_1_transformer_blocks_0_"))
                .anyMatch(k -> k.startsWith("lora_unet_output_blocks_"));

        LoraTargets t = model.targets();
        Tensor viaDiffusersNames, viaSgmNames;
        try (ActiveLora l = t.attach(LoraAdapter.load(kohyaFile), 1f)) {
            l.setUnetScale(0.5f);
            viaDiffusersNames = model.unet(golden, 999f);
        }
        try (ActiveLora l = t.attach(LoraAdapter.fromTensors("sgm-named", renamed), 1f)) {
            l.setUnetScale(0.5f);
            viaSgmNames = model.unet(golden, 999f);
        }
        assertThat(viaSgmNames.data()).isEqualTo(viaDiffusersNames.data());
        assertThat(Comparison.maxRel("sgm", viaSgmNames, golden.tensor("kohya.unet.t999.scale0.5"), 1e-4).passed())
                .isTrue();
    }

    @Test
    void twoAdaptersAtOnceAtHalfWeightEachEqualOneAtFullWeight() {
        Path diffusersFile = kohyaFile.resolveSibling(golden.json().get("lora_files").get("diffusers").asText());
        LoraTargets t = model.targets();
        try (ActiveLora a = t.attach(LoraAdapter.load(kohyaFile), 0.25f);
                ActiveLora b = t.attach(LoraAdapter.load(diffusersFile), 0.25f)) {
            Comparison c = Comparison.maxRel("two adapters", model.unet(golden, 999f),
                    golden.tensor("kohya.unet.t999.scale0.5"), 1e-4);
            assertThat(c.passed()).as(c.toString()).isTrue();
        }
    }

    @Test
    void unfuseRestoresEveryWeightOfTheModelBitForBit() {
        LoraTargets t = model.targets();
        List<float[]> before = new ArrayList<>();
        List<AdaptableLayer> layers = new ArrayList<>();
        for (LoraComponent c : LoraComponent.values()) {
            for (AdaptableLayer l : t.layers(c).values()) {
                layers.add(l);
                before.add(l.weight().toFloat32().data().clone());
            }
        }
        FusedLora f = t.fuse(LoraAdapter.load(kohyaFile), 0.7f);
        long differing = 0;
        for (int i = 0; i < layers.size(); i++) {
            differing += java.util.Arrays.equals(layers.get(i).weight().toFloat32().data(), before.get(i)) ? 0 : 1;
        }
        assertThat(differing).isEqualTo(golden.json().get("num_modules").asInt());
        f.unfuse();
        for (int i = 0; i < layers.size(); i++) {
            assertThat(layers.get(i).weight().toFloat32().data()).isEqualTo(before.get(i));
        }
    }

    @Test
    void anAdapterForAnotherArchitectureIsRejectedWithTheOffendingModules() {
        LoraTargets t = model.targets();
        // SD 1.5 has attention at level 0; tiny-vega does not
        LoraAdapter sd15 = LoraAdapter.fromTensors("sd15-lora", Map.of(
                "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight",
                randn(4, 320),
                "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight",
                randn(320, 4)));
        assertThatThrownBy(() -> t.attach(sd15, 1f)).isInstanceOf(LoraException.class)
                .hasMessageContaining("another architecture")
                .hasMessageContaining("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q");
        // right name, wrong width (a full-size SDXL adapter on the tiny model)
        LoraAdapter big = LoraAdapter.fromTensors("sdxl-lora", Map.of(
                "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight",
                randn(4, 640),
                "unet.down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.lora.up.weight",
                randn(640, 4)));
        assertThatThrownBy(() -> t.fuse(big, 1f)).isInstanceOf(LoraException.class)
                .hasMessageContaining("wrong shape").hasMessageContaining("attn1.to_q");
        // nothing was attached or fused by the failed calls
        assertThat(t.layers(LoraComponent.UNET).values()).allMatch(l -> l.deltas().isEmpty());
    }

    @Test
    void sd15KohyaAdapterOnConvProjectionsAndTheSingleTextEncoder() {
        LoraConformance.Model sd15 = LoraConformance.Model.load(Golden.root().resolve("tiny-sd15"));
        LoraTargets t = sd15.targets();
        assertThat(t.layers(LoraComponent.TEXT_ENCODER_2)).isEmpty();
        AdaptableLayer projIn = t.layers(LoraComponent.UNET).get("down_blocks.0.attentions.0.proj_in");
        assertThat(projIn.conv()).isNotNull(); // SD 1.5 projects with 1x1 convolutions
        int in = projIn.weight().dim(1), out = projIn.weight().dim(0);
        AdaptableLayer fc1 = t.layers(LoraComponent.TEXT_ENCODER).get("text_model.encoder.layers.0.mlp.fc1");
        Map<String, Tensor> file = new LinkedHashMap<>();
        file.put("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", randn(2, in, 1, 1));
        file.put("lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight", randn(out, 2, 1, 1));
        file.put("lora_unet_down_blocks_0_attentions_0_proj_in.alpha", Tensor.scalar(1f));
        file.put("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight",
                randn(2, fc1.weight().dim(1)));
        file.put("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_up.weight",
                randn(fc1.weight().dim(0), 2));
        LoraAdapter a = LoraAdapter.fromTensors("sd15-kohya", file);
        Tensor x = randn(1, 4, 8, 8);
        Tensor ctx = randn(1, 77, sd15.unet().config().crossAttentionDim()[0]);
        Tensor base = sd15.unet().forward(x, 500f, ctx, null);
        int[] ids = sd15.tokenizer().encodePadded("a cat");
        Tensor te0 = sd15.textEncoder().forward(new int[][] {ids}).lastHiddenState();
        try (ActiveLora l = t.attach(a, 1f)) {
            assertThat(l.size()).isEqualTo(2);
            assertThat(sd15.unet().forward(x, 500f, ctx, null).data()).isNotEqualTo(base.data());
            assertThat(sd15.textEncoder().forward(new int[][] {ids}).lastHiddenState().data())
                    .isNotEqualTo(te0.data());
        }
        assertThat(sd15.unet().forward(x, 500f, ctx, null).data()).isEqualTo(base.data());
    }

    private static final java.util.Random RND = new java.util.Random(11);

    private static Tensor randn(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) RND.nextGaussian();
        }
        return t;
    }
}

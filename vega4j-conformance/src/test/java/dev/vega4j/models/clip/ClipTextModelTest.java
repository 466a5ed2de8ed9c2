package dev.vega4j.models.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.conformance.Golden;
import dev.vega4j.io.MapWeights;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClipTextModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void missingKeysTakeTransformersDefaults() throws Exception {
        ClipTextConfig c = ClipTextConfig.fromJson(JSON.readTree("{\"hidden_size\": 64, \"num_attention_heads\": 4}"),
                "t");
        assertThat(c.vocabSize()).isEqualTo(49408);
        assertThat(c.intermediateSize()).isEqualTo(2048);
        assertThat(c.numHiddenLayers()).isEqualTo(12);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(77);
        assertThat(c.hiddenAct()).isEqualTo("quick_gelu");
        assertThat(c.layerNormEps()).isEqualTo(1e-5);
        assertThat(c.eosTokenId()).isEqualTo(49407);
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.withProjection()).isFalse();
    }

    @Test
    void fullClipConfigContributesItsTextConfig() throws Exception {
        ClipTextConfig c = ClipTextConfig.fromJson(JSON.readTree(
                "{\"architectures\": [\"CLIPModel\"], \"text_config\": {\"hidden_size\": 768, \"num_attention_heads\": 12}}"),
                "t");
        assertThat(c.hiddenSize()).isEqualTo(768);
        assertThat(c.numAttentionHeads()).isEqualTo(12);
    }

    @Test
    void badConfigValuesAreReadableErrors() {
        assertThatThrownBy(() -> ClipTextConfig.fromJson(
                JSON.readTree("{\"hidden_size\": 30, \"num_attention_heads\": 4}"), "cfg.json"))
                .isInstanceOf(VegaException.class).hasMessageContaining("cfg.json").hasMessageContaining("multiple");
        assertThatThrownBy(() -> ClipTextConfig.fromJson(JSON.readTree("{\"hidden_size\": \"big\"}"), "cfg.json"))
                .isInstanceOf(VegaException.class).hasMessageContaining("hidden_size");
    }

    @Test
    void legacyEosRulePoolsAtTheLargestIdOtherwiseAtTheFirstEos() {
        int[] ids = {49406, 320, 49407, 49407, 49407};
        assertThat(ClipTextTransformer.eosPosition(ids, 2)).isEqualTo(2);
        assertThat(ClipTextTransformer.eosPosition(ids, 49407)).isEqualTo(2);
        // SDXL tokenizer_2 pads with "!" (id 0): the first EOS is still the largest id
        int[] bang = {49406, 1929, 0, 0, 49407, 0};
        assertThat(ClipTextTransformer.eosPosition(bang, 2)).isEqualTo(4);
        // a custom eos id is found by value, not by size; none present -> position 0 as torch.argmax of zeros
        assertThat(ClipTextTransformer.eosPosition(new int[] {5, 9, 7, 9}, 7)).isEqualTo(2);
        assertThat(ClipTextTransformer.eosPosition(new int[] {5, 9, 8}, 7)).isZero();
    }

    @Test
    void batchedSequencesEncodeLikeSingleOnes() {
        var dir = Golden.root().resolve("tiny-vega/text_encoder_2");
        ClipTextEncoder enc = ClipTextEncoder.fromPretrained(dir);
        assertThat(enc).isInstanceOf(ClipTextModelWithProjection.class);
        int[] a = {49406, 320, 1125, 539, 320, 2368, 49407, 0};
        int[] b = {49406, 2368, 49407, 0, 0, 0, 0, 0};
        ClipTextOutput both = enc.forward(new int[][] {a, b});
        ClipTextOutput one = enc.forward(new int[][] {b});
        assertThat(both.hiddenStates()).hasSize(enc.config().numHiddenLayers() + 1);
        assertThat(both.lastHiddenState().shape()).containsExactly(2, 8, 36);
        assertThat(both.textEmbeds().shape()).containsExactly(2, 24);
        assertThat(both.textEmbeds().slice0(1, 2).data()).containsExactly(one.textEmbeds().data(),
                org.assertj.core.data.Offset.offset(1e-5f));
        // the final LayerNorm of the last hidden state is the last_hidden_state
        assertThat(enc.finalLayerNorm(both.hiddenState(-1)).data()).isEqualTo(both.lastHiddenState().data());
    }

    @Test
    void badInputIdsAreReadableErrors() {
        ClipTextEncoder enc = ClipTextEncoder.fromPretrained(Golden.root().resolve("tiny-sd15/text_encoder"));
        assertThatThrownBy(() -> enc.forward(new int[][] {{49406, 49408}}))
                .isInstanceOf(VegaException.class).hasMessageContaining("49408");
        assertThatThrownBy(() -> enc.forward(new int[][] {new int[78]}))
                .isInstanceOf(VegaException.class).hasMessageContaining("78 tokens");
        assertThatThrownBy(() -> enc.forward(new int[][] {{1, 2}, {1}}))
                .isInstanceOf(VegaException.class).hasMessageContaining("equal lengths");
    }

    @Test
    void missingWeightsAreNamed() {
        ClipTextConfig c = new ClipTextConfig(java.util.List.of(), 10, 8, 16, 8, 1, 2, 4, "gelu", 1e-5, 1, 0, 2);
        Map<String, Tensor> w = new HashMap<>();
        w.put("text_model.embeddings.token_embedding.weight", Tensor.zeros(10, 8));
        w.put("text_model.embeddings.position_embedding.weight", Tensor.zeros(4, 8));
        assertThatThrownBy(() -> new ClipTextModel(c, new MapWeights(w, "mem")))
                .isInstanceOf(VegaException.class).hasMessageContaining("text_model.encoder.layers.0");
        w.put("text_model.embeddings.token_embedding.weight", Tensor.zeros(11, 8));
        assertThatThrownBy(() -> new ClipTextModel(c, new MapWeights(w, "mem")))
                .isInstanceOf(VegaException.class).hasMessageContaining("[11, 8]");
    }

    @Test
    void everyWeightOfTheFolderIsUsed() {
        var dir = Golden.root().resolve("tiny-sdxl/text_encoder");
        try (SafetensorsWeights w = SafetensorsWeights.open(dir.resolve("model.safetensors"))) {
            new ClipTextModel(ClipTextConfig.load(dir.resolve("config.json")), w);
            assertThat(w.unusedNames()).allMatch(n -> n.endsWith("position_ids"));
        }
    }
}

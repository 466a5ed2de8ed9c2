package dev.vega4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.io.checkpoint.PipelineConfigs;
import org.junit.jupiter.api.Test;

/** The CLIP vocabulary shipped in the jar, read through {@link ClipTokenizer#of}. */
class BundledClipTokenizerTest {

    @Test
    void theBundledVocabularyIsOpenAisClipVocabulary() throws Exception {
        ClipTokenizer t = ClipTokenizer.of("bundled", PipelineConfigs.bundledTokenizerFile("vocab.json"),
                PipelineConfigs.bundledTokenizerFile("merges.txt"), null, null);
        assertThat(t.dir()).isNull();
        assertThat(t.vocabSize()).isEqualTo(49408);
        // transformers' CLIPTokenizer ids of the openai/clip-vit-large-patch14 vocabulary
        assertThat(t.encode("a photo of a cat")).containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
        assertThat(t.encodePadded("hi!")).startsWith(49406, 1883, 256, 49407, 49407).hasSize(77);

        // SDXL's tokenizer_2 config: "!" (id 0) pads and is an added token
        var cfg = new ObjectMapper().readTree("{\"pad_token\": \"!\"}");
        ClipTokenizer t2 = ClipTokenizer.of("bundled tokenizer_2", PipelineConfigs.bundledTokenizerFile("vocab.json"),
                PipelineConfigs.bundledTokenizerFile("merges.txt"), cfg, null);
        assertThat(t2.padTokenId()).isZero();
        assertThat(t2.encodePadded("hi!")).startsWith(49406, 1883, 0, 49407, 0);
    }
}

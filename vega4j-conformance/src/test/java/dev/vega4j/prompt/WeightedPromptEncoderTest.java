package dev.vega4j.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.pipeline.ModelIndex;
import dev.vega4j.pipeline.PromptEmbeddings;
import dev.vega4j.pipeline.PromptEncoder;
import dev.vega4j.pipeline.PromptEncoders;
import dev.vega4j.pipeline.SdxlPromptEncoder;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tokenizer.ClipTokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WeightedPromptEncoderTest {
    static ModelIndex sd15Index, vegaIndex;
    static PromptEncoder sd15, vega;
    static ClipTokenizer tok15, t1, t2;

    @BeforeAll
    static void load() {
        sd15Index = ModelIndex.read(Golden.root().resolve("tiny-sd15"));
        vegaIndex = ModelIndex.read(Golden.root().resolve("tiny-vega"));
        sd15 = PromptEncoders.load(PipelineFolder.open(sd15Index.dir()));
        vega = PromptEncoders.load(PipelineFolder.open(vegaIndex.dir()));
        tok15 = ClipTokenizer.load(sd15Index.component("tokenizer"));
        t1 = ClipTokenizer.load(vegaIndex.component("tokenizer"));
        t2 = ClipTokenizer.load(vegaIndex.component("tokenizer_2"));
    }

    private static PromptEncoder weighted(PromptEncoder base, WeightedPromptEncoder.Options o) {
        return base == vega ? new WeightedPromptEncoder(vega, t1, t2, o) : new WeightedPromptEncoder(sd15, tok15, null, o);
    }

    private static void assertSame(PromptEmbeddings a, PromptEmbeddings b) {
        assertThat(a.promptEmbeds().data()).isEqualTo(b.promptEmbeds().data());
        assertThat(a.negativePromptEmbeds().data()).isEqualTo(b.negativePromptEmbeds().data());
        if (a.pooledPromptEmbeds() != null) {
            assertThat(a.pooledPromptEmbeds().data()).isEqualTo(b.pooledPromptEmbeds().data());
            assertThat(a.negativePooledPromptEmbeds().data()).isEqualTo(b.negativePooledPromptEmbeds().data());
        }
    }

    @Test
    void offByDefaultAndIdenticalToDiffusersForPlainPromptsEvenWhenOn() {
        for (var opts : new WeightedPromptEncoder.Options[] {WeightedPromptEncoder.Options.OFF,
                WeightedPromptEncoder.Options.A1111}) {
            PromptEncoder w = weighted(vega, opts);
            assertSame(w.encode("a photo of a cat", null, "blurry", null, 2, true, null),
                    vega.encode("a photo of a cat", null, "blurry", null, 2, true, null));
            assertSame(w.encode("dog!!", null, null, null, 1, true, 1), vega.encode("dog!!", null, null, null, 1, true, 1));
            PromptEncoder w15 = weighted(sd15, opts);
            assertSame(w15.encode("a photo of a cat", null, null, null, 1, true, null),
                    sd15.encode("a photo of a cat", null, null, null, 1, true, null));
        }
        // OFF does not even parse: emphasis syntax stays literal text, as in diffusers
        PromptEncoder off = weighted(sd15, WeightedPromptEncoder.Options.OFF);
        assertSame(off.encode("a (cat:1.5)", null, "", null, 1, true, null),
                sd15.encode("a (cat:1.5)", null, "", null, 1, true, null));
    }

    @Test
    void weightsScaleTokenEmbeddingsAndRestoreTheMeanAsHandComputed() {
        PromptEncoder w = weighted(sd15, WeightedPromptEncoder.Options.A1111);
        PromptEmbeddings ours = w.encode("a (cat:1.5) on a [mat]", null, null, null, 1, true, null);

        // by hand: same ids as the plain text, z = last_hidden_state, weights per position, mean restored
        ClipTokenizer tok = tok15;
        ClipTextEncoder enc = ((dev.vega4j.pipeline.Sd15PromptEncoder) sd15).textEncoder();
        int[] ids = tok.encodePadded("a cat on a mat");
        Tensor z = enc.forward(new int[][] {ids}).lastHiddenState();
        double[] wt = new double[77];
        Arrays.fill(wt, 1.0);
        wt[2] = 1.5; // cat
        wt[5] = (float) (1 / 1.1); // mat
        int d = z.dim(2);
        double sum = 0, sumW = 0;
        for (int i = 0; i < z.numel(); i++) {
            sum += z.data()[i];
            sumW += z.data()[i] * wt[i / d];
        }
        double factor = sum / sumW;
        double maxErr = 0;
        for (int i = 0; i < z.numel(); i++) {
            double ref = z.data()[i] * wt[i / d] * factor;
            maxErr = Math.max(maxErr, Math.abs(ref - ours.promptEmbeds().data()[i]) / Math.max(1, Math.abs(ref)));
        }
        assertThat(maxErr).isLessThan(1e-6);
        // the mean is preserved, the weighted token stands out
        double mean = 0;
        for (float v : ours.promptEmbeds().data()) {
            mean += v;
        }
        assertThat(mean / z.numel()).isCloseTo(sum / z.numel(), org.assertj.core.data.Offset.offset(1e-6));
        // the negative prompt ("" here) is untouched
        assertThat(ours.negativePromptEmbeds().data())
                .isEqualTo(sd15.encode("x", null, null, null, 1, true, null).negativePromptEmbeds().data());
    }

    @Test
    void longPromptsConcatenateChunkEncodingsAndPadTheNegative() {
        String longPrompt = String.join(" ", java.util.Collections.nCopies(100, "cat"));
        PromptEncoder w = weighted(vega, WeightedPromptEncoder.Options.A1111);
        PromptEmbeddings pe = w.encode(longPrompt, null, "blurry", null, 1, true, null);
        assertThat(pe.promptEmbeds().shape()).containsExactly(1, 154, 68);
        assertThat(pe.negativePromptEmbeds().shape()).containsExactly(1, 154, 68);

        SdxlPromptEncoder s = (SdxlPromptEncoder) vega;
        var c1 = new PromptChunker(t1, 20).chunks(longPrompt, true);
        var c2 = new PromptChunker(t2, 20).chunks(longPrompt, true);
        for (int k = 0; k < 2; k++) {
            Tensor h1 = s.textEncoder().forward(new int[][] {c1.get(k).ids()}).hiddenState(-2);
            Tensor h2 = s.textEncoder2().forward(new int[][] {c2.get(k).ids()}).hiddenState(-2);
            for (int t = 0; t < 77; t++) {
                float[] row = Arrays.copyOfRange(pe.promptEmbeds().data(), (k * 77 + t) * 68, (k * 77 + t + 1) * 68);
                float[] ref = new float[68];
                System.arraycopy(h1.data(), t * 32, ref, 0, 32);
                System.arraycopy(h2.data(), t * 36, ref, 32, 36);
                assertThat(row).isEqualTo(ref);
            }
        }
        // pooled = text_encoder_2's text_embeds of the first chunk
        assertThat(pe.pooledPromptEmbeds().data())
                .isEqualTo(s.textEncoder2().forward(new int[][] {c2.get(0).ids()}).textEmbeds().data());
        // the negative prompt fits one chunk: it is diffusers' embedding followed by an empty chunk's
        PromptEmbeddings plain = vega.encode("x", null, "blurry", null, 1, true, null);
        assertThat(Arrays.copyOfRange(pe.negativePromptEmbeds().data(), 0, 77 * 68))
                .isEqualTo(plain.negativePromptEmbeds().data());
        PromptEmbeddings empty = vega.encode("", null, "", null, 1, true, null);
        assertThat(Arrays.copyOfRange(pe.negativePromptEmbeds().data(), 77 * 68, 154 * 68))
                .isEqualTo(empty.promptEmbeds().data());
        // without longPrompts the prompt is truncated like diffusers
        PromptEncoder trunc = weighted(vega,
                new WeightedPromptEncoder.Options(true, false, 20));
        assertSame(trunc.encode(longPrompt, null, "blurry", null, 1, true, null),
                vega.encode(longPrompt, null, "blurry", null, 1, true, null));
    }

    @Test
    void enableWrapsALoadedPipelineAndLoraTargetsStillFindItsEncoders() {
        PipelineFolder folder = PipelineFolder.open(sd15Index.dir());
        dev.vega4j.pipeline.DiffusionPipeline p = dev.vega4j.pipeline.PipelineLoader.load(folder);
        dev.vega4j.pipeline.DiffusionPipeline w = WeightedPromptEncoder.enable(p, folder,
                WeightedPromptEncoder.Options.A1111);
        assertThat(w.promptEncoder()).isInstanceOf(WeightedPromptEncoder.class);
        assertThat(w.unet()).isSameAs(p.unet());
        assertThat(dev.vega4j.lora.LoraTargets.of(w).layers(dev.vega4j.lora.LoraComponent.TEXT_ENCODER)).isNotEmpty();
    }
}

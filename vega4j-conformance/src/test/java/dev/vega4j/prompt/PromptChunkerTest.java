package dev.vega4j.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.tokenizer.ClipTokenizer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PromptChunkerTest {
    static ClipTokenizer tok1, tok2;

    @BeforeAll
    static void load() {
        tok1 = ClipTokenizer.load(Golden.root().resolve("tokenizer/tokenizer"));
        tok2 = ClipTokenizer.load(Golden.root().resolve("tokenizer/tokenizer_2"));
    }

    static String words(String w, int n) {
        return String.join(" ", java.util.Collections.nCopies(n, w));
    }

    @Test
    void promptsThatFitGiveDiffusersIdsWithBothTokenizers() {
        for (String p : new String[] {"a photo of a cat", "", "dog!!", "a, b, c", words("cat", 75)}) {
            for (ClipTokenizer t : new ClipTokenizer[] {tok1, tok2}) {
                List<PromptChunker.Chunk> cs = new PromptChunker(t, 20).chunks(p, true);
                assertThat(cs).hasSize(1);
                assertThat(cs.getFirst().ids()).as(p).isEqualTo(t.encodePadded(p));
                float[] ones = new float[77];
                Arrays.fill(ones, 1f);
                assertThat(cs.getFirst().multipliers()).isEqualTo(ones);
            }
        }
    }

    @Test
    void longPromptsAreCutInto75TokenChunks() {
        int cat = tok1.tokenToId("cat</w>");
        List<PromptChunker.Chunk> cs = new PromptChunker(tok1, 20).chunks(words("cat", 100), false);
        assertThat(cs).hasSize(2);
        int[] c0 = cs.get(0).ids(), c1 = cs.get(1).ids();
        assertThat(c0[0]).isEqualTo(tok1.bosTokenId());
        assertThat(Arrays.copyOfRange(c0, 1, 76)).containsOnly(cat);
        assertThat(c0[76]).isEqualTo(tok1.eosTokenId());
        assertThat(Arrays.copyOfRange(c1, 1, 26)).containsOnly(cat);
        assertThat(Arrays.copyOfRange(c1, 26, 77)).containsOnly(tok1.eosTokenId()); // pad = EOS for tokenizer 1
        // tokenizer 2 pads with "!" (id 0) after the first EOS
        int[] d1 = new PromptChunker(tok2, 20).chunks(words("cat", 100), false).get(1).ids();
        assertThat(d1[26]).isEqualTo(tok2.eosTokenId());
        assertThat(Arrays.copyOfRange(d1, 27, 77)).containsOnly(tok2.padTokenId());
        // 150 tokens fill two chunks exactly, 151 need a third
        assertThat(new PromptChunker(tok1, 0).chunks(words("cat", 150), false)).hasSize(2);
        assertThat(new PromptChunker(tok1, 0).chunks(words("cat", 151), false)).hasSize(3);
    }

    @Test
    void commaBacktrackMovesTheTailAfterTheLastCommaToTheNextChunk() {
        String p = words("cat", 70) + ", " + words("dog", 10);
        int dog = tok1.tokenToId("dog</w>"), comma = tok1.tokenToId(",</w>");
        List<PromptChunker.Chunk> a1111 = new PromptChunker(tok1, 20).chunks(p, true);
        assertThat(a1111).hasSize(2);
        assertThat(a1111.get(0).ids()[71]).isEqualTo(comma);
        assertThat(a1111.get(0).ids()[72]).isEqualTo(tok1.eosTokenId());
        assertThat(Arrays.copyOfRange(a1111.get(1).ids(), 1, 11)).containsOnly(dog);
        List<PromptChunker.Chunk> comfy = new PromptChunker(tok1, 0).chunks(p, true);
        assertThat(Arrays.copyOfRange(comfy.get(0).ids(), 72, 76)).containsOnly(dog);
        assertThat(Arrays.copyOfRange(comfy.get(1).ids(), 1, 7)).containsOnly(dog);
    }

    @Test
    void weightsFollowTheirTokensAndBreakStartsANewChunk() {
        List<PromptChunker.Chunk> cs = new PromptChunker(tok1, 20).chunks("a (red:1.5) [car] BREAK sky", true);
        assertThat(cs).hasSize(2);
        assertThat(cs.get(0).ids()).isEqualTo(tok1.encodePadded("a red car"));
        assertThat(Arrays.copyOfRange(cs.get(0).multipliers(), 0, 5)).containsExactly(1f, 1f, 1.5f,
                (float) (1 / 1.1), 1f);
        assertThat(cs.get(1).ids()).isEqualTo(tok1.encodePadded("sky"));
    }
}

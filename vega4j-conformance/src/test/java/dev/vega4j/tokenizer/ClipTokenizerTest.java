package dev.vega4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.conformance.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTokenizerTest {
    private static ClipTokenizer tok1;
    private static ClipTokenizer tok2;

    @BeforeAll
    static void load() {
        tok1 = ClipTokenizer.load(Golden.root().resolve("tokenizer/tokenizer"));
        tok2 = ClipTokenizer.load(Golden.root().resolve("tokenizer/tokenizer_2"));
    }

    @Test
    void theReadmeExample() {
        assertThat(tok1.encode("a photo of a cat")).containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
        assertThat(tok2.encode("a photo of a cat")).containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
    }

    @Test
    void specialIdsAndLength() {
        assertThat(tok1.bosTokenId()).isEqualTo(49406);
        assertThat(tok1.eosTokenId()).isEqualTo(49407);
        assertThat(tok1.padTokenId()).isEqualTo(49407);
        assertThat(tok2.padTokenId()).isZero();
        assertThat(tok1.modelMaxLength()).isEqualTo(77);
        assertThat(tok1.vocabSize()).isEqualTo(49408);
    }

    @Test
    void thePadTokenOfTokenizer2SplitsOnEveryExclamationMark() {
        assertThat(tok1.encode("dog!!")).containsExactly(49406, 1929, 748, 49407);
        assertThat(tok2.encode("dog!!")).containsExactly(49406, 1929, 0, 0, 49407);
        assertThat(tok2.tokenize("dog!!")).containsExactly("dog</w>", "!", "!");
    }

    @Test
    void paddingAndTruncation() {
        int[] short1 = tok2.encodePadded("cat", 8);
        assertThat(short1).containsExactly(49406, 2368, 49407, 0, 0, 0, 0, 0);
        int[] truncated = tok1.encodePadded("cat cat cat cat cat cat", 5);
        assertThat(truncated).containsExactly(49406, 2368, 2368, 2368, 49407);
        assertThat(tok1.encodePadded("x".repeat(10) + " y".repeat(200))).hasSize(77);
    }

    @Test
    void charactersUnknownToUnicode14AreDeletedLikeUnassignedOnes() {
        // U+1FAE8 SHAKING FACE is Unicode 15: CPython 3.11 sees category Cn and BasicTokenizer drops it.
        assertThat(tok1.encode("cat \uD83E\uDEE8")).containsExactly(49406, 2368, 49407);
        // U+1F600 (Unicode 6) stays: its four UTF-8 bytes become BPE pieces.
        assertThat(tok1.tokenize("\uD83D\uDE00")).isNotEmpty();
    }

    @Test
    void upperCaseSpecialTokenTextIsLowerCasedAndStillSpecial() {
        assertThat(tok1.encode("a <|ENDOFTEXT|> b")).containsExactly(49406, 320, 49407, 321, 49407);
    }

    @Test
    void finalSigmaFollowsCPythonNotTheJdk() {
        // Expected ids from a transcription of the reference (CPython 3.11 str.lower: handle_capital_sigma).
        assertThat(tok1.encode("e\u03A3\u00B2")).containsExactly(49406, 68, 139, 480, 41175, 49407); // final: ς
        assertThat(tok1.encode("ab\u1226\u03A3")).containsExactly(49406, 596, 157, 230, 99, 139, 481, 49407); // σ
        assertThat(tok1.encode("\u03BF\u03B4\u03BF\u03A3.")).containsExactly(49406, 138, 123, 138, 112, 138, 123,
                139, 480, 269, 49407);
    }

    @Test
    void regexModuleCaseInsensitivityQuirks() {
        // U+0345 matches no class of the IGNORECASE pattern, so it vanishes; "'ſ" is the contraction "'s".
        assertThat(tok1.encode("\u0345a")).containsExactly(49406, 320, 49407);
        assertThat(tok1.encode("it'\u017F")).containsExactly(49406, 585, 6, 129, 379, 49407);
    }

    @Test
    void addedTokensForTextualInversionMatchLongestFirst() {
        ClipTokenizer ti = tok1.withAddedTokens(java.util.List.of("<cat-toy>", "<cat-toy>_1", "cat"));
        assertThat(ti.encode("a <cat-toy> <cat-toy>_1 photo")).containsExactly(49406, 320, 49408, 49409, 1125, 49407);
        assertThat(ti.tokenize("a<cat-toy>_1")).containsExactly("a</w>", "<cat-toy>_1");
        // "cat" (no </w>) is already in the vocabulary, so it keeps its id; the text splits around it.
        assertThat(ti.encode("cats")).containsExactly(49406, 1481, 338, 49407);
        assertThat(tok1.encode("a <cat-toy> photo")).doesNotContain(49408); // the original is unchanged
    }

    @Test
    void decodeReversesEncode() {
        assertThat(tok1.decode(tok1.encode("a photo of an astronaut"))).isEqualTo(
                "<|startoftext|>a photo of an astronaut <|endoftext|>");
    }

    @Test
    void aMissingVocabularyIsATypedError(@TempDir Path dir) {
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("vocab.json");
    }

    @Test
    void aBrokenVocabularySaysWhereItBreaks(@TempDir Path dir) throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("vocab.json"), "{\"a</w>\": 0,\n");
        java.nio.file.Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("vocab.json: not a readable JSON vocabulary: Unexpected end-of-input")
                .hasMessageContaining("(line 2, column 1)").hasMessageNotContaining("REDACTED");
    }
}

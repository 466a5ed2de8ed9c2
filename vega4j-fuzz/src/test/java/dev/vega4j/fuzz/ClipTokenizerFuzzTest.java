package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vega4j.prompt.PromptChunker;
import dev.vega4j.tokenizer.ClipTokenizer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The CLIP tokenizer on arbitrary strings (any Unicode, including unpaired surrogates from malformed input): it never
 * throws, every id is in the vocabulary, a padded encoding is exactly 77 ids framed by BOS/EOS, and the long-prompt
 * chunker cuts any prompt into chunks of at most 77 ids.
 */
class ClipTokenizerFuzzTest {
    private static ClipTokenizer tokenizer;
    private static PromptChunker chunker;

    private static synchronized ClipTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = ClipTokenizer.load(Inputs.tinySdxl().resolve("tokenizer"));
            chunker = new PromptChunker(tokenizer, PromptChunker.DEFAULT_COMMA_BACKTRACK);
        }
        return tokenizer;
    }

    @BeforeAll
    static void setUp() throws Exception {
        tokenizer();
    }

    @FuzzTest
    void tokenize(byte[] input) {
        ClipTokenizer t = tokenizer();
        String text = input.length > 0 && (input[0] & 1) == 1 ? utf16(input) : Inputs.text(input);
        Contract.check(null, 32 * Contract.MB, () -> {
            int[] ids = t.encode(text);
            checkIds(t, ids);
            int[] padded = t.encodePadded(text);
            if (padded.length != 77 || padded[0] != t.bosTokenId()) {
                throw new AssertionError("padded encoding of " + padded.length + " ids");
            }
            checkIds(t, padded);
            List<PromptChunker.Chunk> chunks = chunker.chunks(text, false);
            for (PromptChunker.Chunk c : chunks) {
                if (c.ids().length > 77) {
                    throw new AssertionError("a chunk of " + c.ids().length + " ids");
                }
                checkIds(t, c.ids());
            }
            t.decode(ids);
        });
    }

    static void checkIds(ClipTokenizer t, int[] ids) {
        for (int id : ids) {
            if (id < 0 || id >= t.vocabSize()) {
                throw new AssertionError("id " + id + " outside the vocabulary of " + t.vocabSize());
            }
        }
    }

    /** Pairs of bytes as UTF-16 code units: reaches unpaired surrogates, which UTF-8 decoding never yields. */
    private static String utf16(byte[] b) {
        char[] c = new char[b.length / 2];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) (((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff));
        }
        return new String(c);
    }
}

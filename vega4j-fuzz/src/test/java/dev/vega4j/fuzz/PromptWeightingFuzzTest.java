package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vega4j.prompt.PromptAttention;
import dev.vega4j.prompt.PromptChunker;
import dev.vega4j.prompt.PromptSyntaxException;
import dev.vega4j.tokenizer.ClipTokenizer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * AUTOMATIC1111's prompt-weighting syntax ({@code (a:1.2)}, {@code [b]}, escapes, {@code BREAK}): parsing and
 * chunking may only throw a {@link PromptSyntaxException} (a client's error); every chunk is 77 ids with finite
 * weights. (The {@code <lora:...>} tags of the same prompts are read by the server: {@link A1111BodyFuzzTest}.)
 */
class PromptWeightingFuzzTest {
    private static PromptChunker chunker;
    private static ClipTokenizer tokenizer;

    private static synchronized PromptChunker chunker() {
        if (chunker == null) {
            tokenizer = ClipTokenizer.load(Inputs.tinySdxl().resolve("tokenizer"));
            chunker = new PromptChunker(tokenizer, PromptChunker.DEFAULT_COMMA_BACKTRACK);
        }
        return chunker;
    }

    @BeforeAll
    static void setUp() throws Exception {
        chunker();
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/prompt.dict")
    void parseAndChunk(byte[] input) {
        PromptChunker c = chunker();
        String prompt = Inputs.text(input);
        Contract.check(PromptSyntaxException.class, 32 * Contract.MB, () -> {
            List<PromptAttention.Fragment> fragments = PromptAttention.parse(prompt);
            for (PromptAttention.Fragment f : fragments) {
                if (!f.isBreak() && !Double.isFinite(f.weight())) {
                    throw new AssertionError("weight " + f.weight() + " for '" + f.text() + "'");
                }
            }
            for (PromptChunker.Chunk chunk : c.chunks(fragments)) {
                if (chunk.ids().length != 77 || chunk.multipliers().length != 77) {
                    throw new AssertionError("a chunk of " + chunk.ids().length + " ids");
                }
                ClipTokenizerFuzzTest.checkIds(tokenizer, chunk.ids());
                for (float m : chunk.multipliers()) {
                    if (!Float.isFinite(m)) {
                        throw new AssertionError("multiplier " + m);
                    }
                }
            }
        });
    }
}

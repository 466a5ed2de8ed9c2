package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/**
 * OpenAI images request bodies, through the real request parsers into {@code GenerationRequest} validation and (when valid) a
 * generation on the {@link InstantPipeline}. The first byte picks the route ({@code /v1/images/generations}), the rest is the body. Contract
 * ({@link FuzzServer#post}): 200, or a 4xx whose body carries a message; never a 5xx, a dropped connection or a hang.
 */
class OpenAiBodyFuzzTest {
    @BeforeAll
    static void setUp() {
        FuzzServer.get();
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/request.dict")
    void body(byte[] input) {
        FuzzServer.get().postRoute(input, 4, 1);
    }
}

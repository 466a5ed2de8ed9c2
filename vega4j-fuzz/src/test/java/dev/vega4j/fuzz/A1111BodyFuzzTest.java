package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/**
 * AUTOMATIC1111 request bodies, through the real request parsers into {@code GenerationRequest} validation and (when valid) a
 * generation on the {@link InstantPipeline}. The first byte picks the route (txt2img or img2img), the rest is the body. Contract
 * ({@link FuzzServer#post}): 200, or a 4xx whose body carries a message; never a 5xx, a dropped connection or a hang.
 * The prompts carry A1111's emphasis syntax and {@code <lora:...>} tags (a LoRA named {@code tiny} is on offer).
 */
class A1111BodyFuzzTest {
    @BeforeAll
    static void setUp() {
        FuzzServer.get();
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/request.dict")
    void body(byte[] input) {
        FuzzServer.get().postRoute(input, 2, 2);
    }
}

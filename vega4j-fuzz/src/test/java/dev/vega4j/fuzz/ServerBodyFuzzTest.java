package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;
import java.util.Arrays;
import java.util.List;

/**
 * Every HTTP request body of the server, through the real request parsers into {@code GenerationRequest} validation
 * and (when valid) a generation on the {@link InstantPipeline}. The first byte picks the route, the rest is the body.
 * Contract: 200, or a 4xx whose body carries a message; never a 5xx, never a dropped connection, never a hang.
 */
class ServerBodyFuzzTest {
    static final List<String> ROUTES = List.of("/v1/" + FuzzServer.MODEL, "/v2/" + FuzzServer.MODEL,
            "/sdapi/v1/txt2img", "/sdapi/v1/img2img", "/v1/images/generations");

    @BeforeAll
    static void setUp() throws Exception {
        FuzzServer.get();
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/request.dict")
    void segmind(byte[] input) {
        post(input, 0, 2);
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/request.dict")
    void a1111(byte[] input) {
        post(input, 2, 2);
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/request.dict")
    void openai(byte[] input) {
        post(input, 4, 1);
    }

    /** Route {@code first + input[0] % count}, body the rest. */
    private static void post(byte[] input, int first, int count) {
        if (input.length == 0) {
            return;
        }
        String route = ROUTES.get(first + Math.floorMod(input[0], count));
        FuzzServer.get().post(route, Arrays.copyOfRange(input, 1, input.length));
    }
}

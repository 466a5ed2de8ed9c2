package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;

/**
 * Client images: arbitrary bytes (PNG, JPEG, WebP, BMP, GIF or none) sent as bare base64, a {@code data:} URL or
 * line-wrapped base64, as an init image and as a mask, to Segmind /v1 and A1111 img2img. The declared size must be
 * checked before any pixel is decoded (the server's bound is {@value FuzzServer#MAX_SIDE} pixels a side), so no input
 * may allocate beyond {@link #BOUND}; the HTTP contract is {@link FuzzServer#post}'s.
 */
class ImageInputFuzzTest {
    /** What one request may allocate on the client and server side together, as seen by this JVM's threads. */
    static final long BOUND = 64 * Contract.MB;

    @BeforeAll
    static void setUp() throws Exception {
        FuzzServer.get();
    }

    @FuzzTest
    void initImageAndMask(byte[] input) {
        FuzzServer.allowLoopback();
        if (input.length < 1) {
            return;
        }
        int mode = input[0] & 0xff;
        byte[] image = Arrays.copyOfRange(input, 1, input.length);
        String encoded = switch (mode % 3) {
            case 0 -> Base64.getEncoder().encodeToString(image);
            case 1 -> "data:image/png;base64," + Base64.getEncoder().encodeToString(image);
            default -> Base64.getMimeEncoder().encodeToString(image);
        };
        String asMask = (mode & 4) != 0 ? encoded : null;
        boolean a1111 = (mode & 8) != 0;
        String body = a1111
                ? "{\"prompt\":\"x\",\"steps\":1,\"init_images\":[\"" + json(encoded) + "\"]"
                        + (asMask != null ? ",\"mask\":\"" + json(asMask) + "\"" : "") + "}"
                : "{\"prompt\":\"x\",\"num_inference_steps\":1,\"base64\":true,\"init_image\":\"" + json(encoded) + "\""
                        + (asMask != null ? ",\"mask\":\"" + json(asMask) + "\"" : "") + "}";
        Contract.check(null, BOUND, () -> FuzzServer.get()
                .post(a1111 ? "/sdapi/v1/img2img" : "/v1/" + FuzzServer.MODEL, body.getBytes(StandardCharsets.UTF_8)));
    }

    private static String json(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}

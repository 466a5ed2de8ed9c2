package dev.vega4j.fuzz;

import dev.vega4j.conformance.Golden;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Decoding of raw fuzz inputs and the golden folders the targets read from (never copied). */
final class Inputs {
    private Inputs() {}

    /** The bytes as text; malformed UTF-8 becomes U+FFFD, as a JSON body or file read leniently would give. */
    static String text(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new AssertionError(e);
        }
    }

    /** The tiny SDXL pipeline of the golden data (configs, tokenizers, weights). */
    static Path tinySdxl() {
        return Golden.root().resolve("tiny-sdxl");
    }
}

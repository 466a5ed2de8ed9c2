package dev.vega4j.server;

import java.util.Locale;

/**
 * One adapter a request applies: an entry of the server's {@link LoraLibrary} with AUTOMATIC1111's two strengths
 * (text encoders and UNet; {@code <lora:name:w>} sets both to w, {@code <lora:name:te:unet>} each). A strength of 0
 * for both means the adapter is not applied at all.
 *
 * @param name             the library's name of the adapter
 * @param textEncoderScale strength in the text encoders (diffusers' {@code lora_scale} of {@code encode_prompt})
 * @param unetScale        strength in the UNet (diffusers' {@code cross_attention_kwargs["scale"]})
 * @param entry            where the library keeps it
 * @param hash             A1111's short hash of the file, for the infotext's {@code Lora hashes}
 */
record LoraUse(String name, float textEncoderScale, float unetScale, LoraLibrary.Entry entry, String hash) {

    boolean applied() {
        return textEncoderScale != 0f || unetScale != 0f;
    }

    /** One strength for both, the common case. */
    boolean uniform() {
        return textEncoderScale == unetScale;
    }

    /** The A1111 prompt tag that asks for this: {@code <lora:name:0.8>} or {@code <lora:name:te:unet>}. */
    String tag() {
        return "<lora:" + name + ":" + format(textEncoderScale) + (uniform() ? "" : ":" + format(unetScale)) + ">";
    }

    static String format(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e6 ? Long.toString((long) v) : Float.toString(v)
                .toLowerCase(Locale.ROOT);
    }
}

package dev.vega4j.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Small valid inputs the targets and their seeds are built from. */
final class Seeds {
    private Seeds() {}

    /** A safetensors image: {@code header} (JSON) and {@code data}, framed as the format wants. */
    static byte[] safetensors(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** One F32 tensor {@code w} of shape [2, 2] and metadata: the smallest realistic file. */
    static byte[] tinySafetensors() {
        return safetensors("{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],"
                + "\"data_offsets\":[0,16]}}", new byte[16]);
    }
}

package dev.vega4j.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2 / CLIP {@code bytes_to_unicode}: a reversible map from the 256 byte values to printable characters, so BPE can
 * work on strings without ever seeing whitespace or control characters (transformers tokenization_clip.py).
 */
final class ByteLevel {
    /** Character standing for each byte value. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Byte value of each stand-in character (all are below 324), -1 elsewhere. */
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        // Printable bytes stand for themselves; the others get 256, 257, ... in byte order.
        int next = 0;
        for (int b = 0; b < 256; b++) {
            BYTE_TO_CHAR[b] = printable[b] ? (char) b : (char) (256 + next++);
        }
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteLevel() {}

    /** The UTF-8 bytes of {@code text}, each replaced by its stand-in character. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
        }
        return new String(out);
    }

    /** The stand-in character of one byte value. */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xff];
    }

    /** The byte a stand-in character represents, or -1 when it is none. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }
}

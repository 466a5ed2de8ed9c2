package dev.vega4j.spark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Seeds and hashes that depend only on a row's content, never on partitioning or task order, so that a row gives the
 * same image locally, on a cluster and after a retry.
 */
public final class RowSeeds {
    private RowSeeds() {}

    /** The seed of a row without one: SHA-256 of (run seed, row name), first 53 bits (exact in JSON numbers). */
    public static long derive(long runSeed, String name) {
        byte[] h = sha256(runSeed + "\n" + name);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (h[i] & 0xff);
        }
        return v >>> 11;
    }

    /** Hex SHA-256 of a text (UTF-8). */
    public static String hash(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }

    static byte[] sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

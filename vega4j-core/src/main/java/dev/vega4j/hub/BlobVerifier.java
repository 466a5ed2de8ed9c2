package dev.vega4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Checks a downloaded blob against its ETag, which on the Hub is a content hash: the LFS object id (sha256 of the
 * bytes) for large files and the git blob id (sha1 of {@code "blob <size>\0" + bytes}) for the others. ETags of any
 * other shape (a mirror's own) are not checked.
 */
final class BlobVerifier {
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    private static final Pattern SHA1 = Pattern.compile("^[0-9a-f]{40}$");

    private BlobVerifier() {}

    /** Null when the file matches (or cannot be checked); otherwise why not. */
    static String mismatch(Path file, String etag, long expectedSize) throws IOException {
        long size = Files.size(file);
        if (expectedSize >= 0 && size != expectedSize) {
            return "size " + size + " bytes, expected " + expectedSize;
        }
        String algo;
        String prefix = null;
        if (SHA256.matcher(etag).matches()) {
            algo = "SHA-256";
        } else if (SHA1.matcher(etag).matches()) {
            algo = "SHA-1";
            prefix = "blob " + size + "\0";
        } else {
            return null;
        }
        String actual = hash(file, algo, prefix);
        return actual.equals(etag) ? null : algo + " " + actual + ", expected " + etag;
    }

    static String hash(Path file, String algo, String prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algo);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (prefix != null) {
            md.update(prefix.getBytes(StandardCharsets.US_ASCII));
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

package dev.vega4j.rng;

import dev.vega4j.VegaException;
import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * Seeds as users give them. Any 64-bit value is accepted (torch keeps only the low 32 bits, so 5 and 2^32+5 give the
 * same noise); Segmind's API convention {@code -1} means "pick one at random", and the picked seed is reported so the
 * image can be reproduced.
 */
public final class Seeds {
    /** Segmind's "random seed" marker. */
    public static final long RANDOM = -1L;

    private static final SecureRandom RANDOM_SOURCE = new SecureRandom();
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private Seeds() {}

    /** A seed and whether it was picked at random (so a caller can tell the user which one was used). */
    public record Resolved(long seed, boolean picked) {
        public TorchGenerator generator() {
            return new TorchGenerator(seed);
        }

        /** The seed as users write it (unsigned decimal, like Python prints a torch seed). */
        public String display() {
            return Long.toUnsignedString(seed);
        }
    }

    /** {@code -1} becomes a random seed in [0, 2^32) (the range torch uses anyway); anything else is kept. */
    public static Resolved resolve(long requested) {
        if (requested == RANDOM) {
            return new Resolved(RANDOM_SOURCE.nextLong() & 0xffffffffL, true);
        }
        return new Resolved(requested, false);
    }

    /**
     * Parses a seed typed by a user: a decimal integer in [-2^63, 2^64). Values of 2^63 and above are taken as
     * unsigned 64-bit (as torch does); {@code -1} stays the random marker.
     */
    public static long parse(String text) {
        String s = text == null ? "" : text.strip();
        try {
            BigInteger v = new BigInteger(s);
            if (v.signum() < 0 && v.bitLength() > 63 || v.compareTo(TWO_64) >= 0) {
                throw new VegaException("seed " + s + " is out of range: use an integer from -1 (random) to 2^64-1");
            }
            return v.longValue();
        } catch (NumberFormatException e) {
            throw new VegaException("seed '" + s + "' is not an integer (use -1 for a random seed)");
        }
    }
}

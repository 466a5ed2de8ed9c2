package dev.vega4j.tokenizer;

import java.util.function.Consumer;

/**
 * CLIP's pre-tokenizer, {@code re.findall} of the Python {@code regex} pattern (flag IGNORECASE)
 * <pre>{@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}</pre>
 * (transformers tokenization_clip.py), written as a scanner because the {@code regex} module's case-insensitive
 * classes differ from {@code java.util.regex}: U+0345 COMBINING GREEK YPOGEGRAMMENI has the letter iota among its case
 * variants, so under IGNORECASE it is excluded from {@code [^\s\p{L}\p{N}]} while {@code [\p{L}]} does not match it
 * either; it belongs to no piece and is dropped. Every other character matches exactly one of the three classes
 * according to its general category (verified against {@code regex} over all Unicode 14 code points). In the literal
 * alternatives a letter matches its upper and lower case, and {@code s} also matches U+017F LATIN SMALL LETTER LONG S.
 * Alternatives are tried in order at each position, as the regex engine does; characters no alternative matches
 * (whitespace) are skipped.
 */
final class ClipPreTokenizer {
    private static final String[] LITERALS = {"<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll",
            "'d"};

    private ClipPreTokenizer() {}

    /** Calls {@code sink} with every piece of {@code text}, in order. */
    static void split(String text, Consumer<String> sink) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            int end = matchLiteral(text, i);
            if (end < 0) {
                int cp = text.codePointAt(i);
                if (isLetter(cp)) {
                    end = runEnd(text, i, true);
                } else if (isNumber(cp)) {
                    end = i + Character.charCount(cp);
                } else if (isOther(cp)) {
                    end = runEnd(text, i, false);
                } else {
                    i += Character.charCount(cp);
                    continue;
                }
            }
            sink.accept(text.substring(i, end));
            i = end;
        }
    }

    /** End of the first literal alternative matching at {@code i}, or -1. */
    private static int matchLiteral(String text, int i) {
        char first = text.charAt(i);
        if (first != '<' && first != '\'') {
            return -1;
        }
        outer:
        for (String lit : LITERALS) {
            if (lit.charAt(0) != first || i + lit.length() > text.length()) {
                continue;
            }
            // All literal characters are ASCII and their case variants are single UTF-16 units.
            for (int k = 1; k < lit.length(); k++) {
                if (!sameIgnoringCase(text.charAt(i + k), lit.charAt(k))) {
                    continue outer;
                }
            }
            return i + lit.length();
        }
        return -1;
    }

    private static boolean sameIgnoringCase(char c, char literal) {
        if (c == literal) {
            return true;
        }
        if (literal >= 'a' && literal <= 'z') {
            return c == literal - 32 || (literal == 's' && c == '\u017F');
        }
        return false;
    }

    private static int runEnd(String text, int i, boolean letters) {
        int n = text.length();
        while (i < n) {
            int cp = text.codePointAt(i);
            if (letters ? !isLetter(cp) : !isOther(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }

    /** {@code [\p{L}]}: general category L*. */
    static boolean isLetter(int cp) {
        return Character.isLetter(cp);
    }

    /** {@code [\p{N}]}: general category N*. */
    static boolean isNumber(int cp) {
        return switch (Character.getType(cp)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }

    /** {@code [^\s\p{L}\p{N}]} under IGNORECASE. */
    static boolean isOther(int cp) {
        return cp != 0x0345 && !isRegexSpace(cp) && !isLetter(cp) && !isNumber(cp);
    }

    /** The regex module's Unicode {@code \s}: the White_Space property. */
    static boolean isRegexSpace(int cp) {
        return switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }
}

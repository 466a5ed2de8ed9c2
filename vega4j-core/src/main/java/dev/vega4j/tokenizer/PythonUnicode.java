package dev.vega4j.tokenizer;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The few Python string semantics the reference tokenizer relies on ({@code str.isspace}, {@code str.lower},
 * {@code unicodedata.category}, NFC), as CPython 3.11 defines them. The reference ran on CPython 3.11 whose
 * {@code unicodedata} is Unicode 14.0, while the JDK knows a newer Unicode: characters the JDK knows but Unicode 14 did
 * not are unassigned ({@code Cn}) for Python, which matters because the tokenizer deletes every {@code C*} character.
 */
final class PythonUnicode {
    private PythonUnicode() {}

    /** CPython {@code str.isspace}: bidirectional class WS, B or S, or general category Zs. */
    static boolean isSpace(int cp) {
        return switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F,
                    0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** True when {@code unicodedata.category(cp)} starts with "C" (Cc, Cf, Cs, Co, Cn) under Unicode 14. */
    static boolean isOtherCategory(int cp) {
        if (Unicode14.isUnassigned(cp)) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    /** True when {@code unicodedata.category(cp) == "Zs"} under Unicode 14. */
    static boolean isSpaceSeparator(int cp) {
        return Character.getType(cp) == Character.SPACE_SEPARATOR && !Unicode14.isUnassigned(cp);
    }

    /**
     * CPython {@code str.lower()}: the full lowercase mapping of each code point (U+0130 becomes two characters; the
     * JDK's root-locale mapping of single code points agrees on every Unicode 14 character), and for U+03A3 CPython's
     * own Final_Sigma test (unicodeobject.c {@code handle_capital_sigma}). The JDK decides final sigma by word
     * boundaries instead, which differs (e.g. a sigma after "²" or after an uncased letter), so sigma is handled here.
     */
    static String lower(String s) {
        if (s.indexOf('\u03A3') < 0) {
            return s.toLowerCase(Locale.ROOT);
        }
        int[] cps = s.codePoints().toArray();
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < cps.length; i++) {
            int cp = cps[i];
            if (cp == 0x03A3) {
                out.append(isFinalSigma(cps, i) ? '\u03C2' : '\u03C3');
            } else if (cp == 0x0130) {
                out.append("i\u0307");
            } else {
                out.appendCodePoint(Character.toLowerCase(cp));
            }
        }
        return out.toString();
    }

    /** {@code \p{cased} \p{case-ignorable}* U+03A3 !(\p{case-ignorable}* \p{cased})}, as CPython tests it. */
    private static boolean isFinalSigma(int[] cps, int i) {
        int j = i - 1;
        while (j >= 0 && isCaseIgnorable(cps[j])) {
            j--;
        }
        if (j < 0 || !isCased(cps[j])) {
            return false;
        }
        j = i + 1;
        while (j < cps.length && isCaseIgnorable(cps[j])) {
            j++;
        }
        return j == cps.length || !isCased(cps[j]);
    }

    /** Unicode Cased (Lowercase, Uppercase or Lt, including the Other_ properties). */
    static boolean isCased(int cp) {
        return !Unicode14.isUnassigned(cp)
                && (Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp));
    }

    /**
     * Unicode Case_Ignorable: Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter / MidNumLet / Single_Quote (listed, the JDK
     * has no Word_Break property). U+1171E is Mn in Unicode 14 (Mc later). Checked against CPython 3.11 over all code
     * points.
     */
    static boolean isCaseIgnorable(int cp) {
        if (Unicode14.isUnassigned(cp)) {
            return false;
        }
        return switch (cp) {
            case 0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55,
                    0xFF07, 0xFF0E, 0xFF1A, 0x1171E -> true;
            default -> switch (Character.getType(cp)) {
                case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT,
                        Character.MODIFIER_LETTER, Character.MODIFIER_SYMBOL -> true;
                default -> false;
            };
        };
    }

    static String nfc(String s) {
        return Normalizer.isNormalized(s, Normalizer.Form.NFC) ? s : Normalizer.normalize(s, Normalizer.Form.NFC);
    }
}

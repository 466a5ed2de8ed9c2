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
     * CPython {@code str.lower()}: full lowercase mapping (U+0130 becomes two characters) and the Final_Sigma rule;
     * the JDK's root-locale lowercasing implements the same two special cases.
     */
    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static String nfc(String s) {
        return Normalizer.isNormalized(s, Normalizer.Form.NFC) ? s : Normalizer.normalize(s, Normalizer.Form.NFC);
    }
}

package dev.vega4j.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The text normalisation {@code CLIPTokenizer} falls back to when {@code ftfy} is not installed (the diffusers default):
 * transformers' {@code BasicTokenizer(strip_accents=False, do_split_on_punc=False)} from
 * models/bert/tokenization_bert.py, whose words CLIP joins with single spaces.
 *
 * <p>Steps, in the reference's order: drop NUL, U+FFFD and every {@code C*} character except tab/LF/CR; map those and
 * {@code Zs} characters to a space; surround every CJK ideograph with spaces; NFC; split on Python whitespace;
 * lower-case each word (accents are kept, punctuation is not split off).
 */
final class BasicTokenizer {
    private BasicTokenizer() {}

    /** {@code " ".join(BasicTokenizer(...).tokenize(text))}. */
    static String normalize(String text) {
        StringBuilder cleaned = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                continue;
            }
            if (isWhitespace(cp)) {
                cleaned.append(' ');
            } else if (isChineseChar(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        }
        String nfc = PythonUnicode.nfc(cleaned.toString());
        StringBuilder out = new StringBuilder(nfc.length());
        for (String word : splitOnPythonWhitespace(nfc)) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append(PythonUnicode.lower(word));
        }
        return out.toString();
    }

    /** tokenization_utils._is_control: tab, LF and CR are whitespace, every other {@code C*} character is control. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        return PythonUnicode.isOtherCategory(cp);
    }

    /** tokenization_utils._is_whitespace: space, tab, LF, CR and category Zs. */
    static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || PythonUnicode.isSpaceSeparator(cp);
    }

    /** BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks (not kana, not hangul). */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Python {@code str.split()} without arguments: runs of {@code str.isspace} characters separate words. */
    static List<String> splitOnPythonWhitespace(String s) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            boolean space = PythonUnicode.isSpace(cp);
            if (space && start >= 0) {
                words.add(s.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(s.substring(start));
        }
        return words;
    }
}

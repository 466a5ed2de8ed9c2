package dev.vega4j.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits text on added tokens the way the slow tokenizers' {@code Trie.split} does (transformers
 * tokenization_utils.py): leftmost match first, the longest token at that position, text between matches kept as is
 * (including whitespace, unless a token's {@code lstrip}/{@code rstrip} removes it).
 */
final class AddedTokenSplitter {
    /** One piece of the split text: either an added token or plain text for the normal tokenizer. */
    record Piece(String text, AddedToken token) {}

    private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();

    AddedTokenSplitter(List<AddedToken> tokens) {
        for (AddedToken t : tokens) {
            if (!t.content().isEmpty()) {
                byFirstChar.computeIfAbsent(t.content().charAt(0), k -> new ArrayList<>()).add(t);
            }
        }
        // Longest first, so the first match found at a position is the longest one.
        byFirstChar.values().forEach(l -> l.sort((a, b) -> b.content().length() - a.content().length()));
    }

    List<Piece> split(String text) {
        List<Piece> pieces = new ArrayList<>();
        int textStart = 0;
        for (int i = 0; i < text.length(); ) {
            AddedToken match = matchAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            if (i > textStart) {
                pieces.add(new Piece(text.substring(textStart, i), null));
            }
            pieces.add(new Piece(match.content(), match));
            i += match.content().length();
            textStart = i;
        }
        if (textStart < text.length()) {
            pieces.add(new Piece(text.substring(textStart), null));
        }
        applyStrip(pieces);
        return pieces;
    }

    private AddedToken matchAt(String text, int i) {
        List<AddedToken> candidates = byFirstChar.get(text.charAt(i));
        if (candidates != null) {
            for (AddedToken t : candidates) {
                if (text.startsWith(t.content(), i)) {
                    return t;
                }
            }
        }
        return null;
    }

    /** {@code rstrip} strips the start of the following text piece, {@code lstrip} the end of the preceding one. */
    private static void applyStrip(List<Piece> pieces) {
        for (int i = 0; i < pieces.size(); i++) {
            AddedToken t = pieces.get(i).token();
            if (t == null) {
                continue;
            }
            if (t.rstrip() && i + 1 < pieces.size() && pieces.get(i + 1).token() == null) {
                pieces.set(i + 1, new Piece(stripLeading(pieces.get(i + 1).text()), null));
            }
            if (t.lstrip() && i > 0 && pieces.get(i - 1).token() == null) {
                pieces.set(i - 1, new Piece(stripTrailing(pieces.get(i - 1).text()), null));
            }
        }
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && PythonUnicode.isSpace(s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        return s.substring(i);
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && PythonUnicode.isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(0, end);
    }
}

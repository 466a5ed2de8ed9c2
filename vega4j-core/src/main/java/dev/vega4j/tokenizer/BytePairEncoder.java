package dev.vega4j.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE ({@code CLIPTokenizer.bpe} in transformers tokenization_clip.py): a word's last symbol carries
 * the {@code </w>} end-of-word marker; repeatedly the adjacent pair with the lowest merge rank is merged (every
 * occurrence, left to right) until no pair has a rank. Symbols are interned as ints so a merge step compares ints.
 * Results are cached per word, as the reference does; the cache is thread-safe and bounded.
 */
final class BytePairEncoder {
    static final String END_OF_WORD = "</w>";
    private static final int CACHE_LIMIT = 100_000;

    private final Map<String, Integer> symbolIds = new HashMap<>();
    private final List<String> symbols = new ArrayList<>();
    /** (left symbol << 32 | right symbol) → rank << 32 | merged symbol. */
    private final Map<Long, Long> merges = new HashMap<>();
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();

    /** @param mergePairs the merge rules in rank order (rank = index); a later duplicate overrides the rank. */
    BytePairEncoder(List<String[]> mergePairs) {
        for (int b = 0; b < 256; b++) {
            intern(String.valueOf(ByteLevel.charOf(b)));
            intern(ByteLevel.charOf(b) + END_OF_WORD);
        }
        for (int rank = 0; rank < mergePairs.size(); rank++) {
            String[] p = mergePairs.get(rank);
            int a = intern(p[0]), b = intern(p[1]);
            int merged = intern(p[0] + p[1]);
            merges.put(key(a, b), ((long) rank << 32) | merged);
        }
    }

    private int intern(String s) {
        Integer id = symbolIds.get(s);
        if (id == null) {
            id = symbols.size();
            symbols.add(s);
            symbolIds.put(s, id);
        }
        return id;
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }

    /** The BPE pieces of one pre-token whose characters are byte stand-ins (see {@link ByteLevel}). */
    String[] encode(String word) {
        String[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        String[] pieces = merge(word);
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear(); // a long-running server sees unbounded distinct words; the hot ones come right back
        }
        cache.put(word, pieces);
        return pieces;
    }

    private String[] merge(String word) {
        int n = word.length();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            String s = i == n - 1 ? word.charAt(i) + END_OF_WORD : String.valueOf(word.charAt(i));
            w[i] = intern0(s);
        }
        while (n > 1) {
            // The pair with the lowest rank (ranks are unique, so the minimum is one pair).
            long best = Long.MAX_VALUE;
            int left = -1, right = -1;
            for (int i = 0; i + 1 < n; i++) {
                Long m = merges.get(key(w[i], w[i + 1]));
                if (m != null && m < best) {
                    best = m;
                    left = w[i];
                    right = w[i + 1];
                }
            }
            if (left < 0) {
                break;
            }
            int merged = (int) best;
            int out = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && w[i] == left && w[i + 1] == right) {
                    w[out++] = merged;
                    i += 2;
                } else {
                    w[out++] = w[i++];
                }
            }
            n = out;
        }
        String[] pieces = new String[n];
        for (int i = 0; i < n; i++) {
            pieces[i] = symbols.get(w[i]);
        }
        return pieces;
    }

    /** Symbol id of a single byte stand-in (with or without end marker); every one was interned at construction. */
    private int intern0(String s) {
        Integer id = symbolIds.get(s);
        if (id == null) {
            throw new IllegalStateException("not a byte-level symbol: " + s);
        }
        return id;
    }
}

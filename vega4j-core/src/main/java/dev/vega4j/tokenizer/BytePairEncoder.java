package dev.vega4j.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE ({@code CLIPTokenizer.bpe} in transformers tokenization_clip.py): a word's last symbol carries
 * the {@code </w>} end-of-word marker; repeatedly the adjacent pair with the lowest merge rank is merged (every
 * occurrence, left to right) until no pair has a rank. Symbols are interned as ints so a merge step compares ints.
 * Results are cached per word, as the reference does; the cache is thread-safe and bounded.
 *
 * <p>Short words use the reference's algorithm as written (a scan over all pairs per merge, quadratic). Long words
 * (a prompt of thousands of characters without a space) use a heap of pair occurrences, O(n log n), which makes the
 * same merges in the same order: all occurrences of the lowest-ranked pair are taken together, left to right, before
 * any pair their merges create is considered.
 */
final class BytePairEncoder {
    static final String END_OF_WORD = "</w>";
    private static final int CACHE_LIMIT = 100_000;
    /** Words longer than this use the heap algorithm. */
    static final int HEAP_THRESHOLD = 48;

    private final Map<String, Integer> symbolIds = new HashMap<>();
    private final List<String> symbols = new ArrayList<>();
    /** (left symbol << 32 | right symbol) → rank; a rank identifies one pair. */
    private final Map<Long, Integer> ranks = new HashMap<>();
    /** Per rank: the pair's left and right symbols and the merged symbol. */
    private final int[] mergeLeft, mergeRight, mergeResult;
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();

    /** @param mergePairs the merge rules in rank order (rank = index); a later duplicate overrides the rank. */
    BytePairEncoder(List<String[]> mergePairs) {
        for (int b = 0; b < 256; b++) {
            intern(String.valueOf(ByteLevel.charOf(b)));
            intern(ByteLevel.charOf(b) + END_OF_WORD);
        }
        int n = mergePairs.size();
        mergeLeft = new int[n];
        mergeRight = new int[n];
        mergeResult = new int[n];
        for (int rank = 0; rank < n; rank++) {
            String[] p = mergePairs.get(rank);
            mergeLeft[rank] = intern(p[0]);
            mergeRight[rank] = intern(p[1]);
            mergeResult[rank] = intern(p[0] + p[1]);
            ranks.put(key(mergeLeft[rank], mergeRight[rank]), rank);
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

    /** Rank of the pair, or -1 when it is not a merge. */
    private int rank(int a, int b) {
        Integer r = ranks.get(key(a, b));
        return r == null ? -1 : r;
    }

    /** The BPE pieces of one pre-token whose characters are byte stand-ins (see {@link ByteLevel}). */
    String[] encode(String word) {
        String[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        int[] w = initialSymbols(word);
        String[] pieces = toStrings(w.length > HEAP_THRESHOLD ? mergeWithHeap(w) : mergeByScanning(w));
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear(); // a long-running server sees unbounded distinct words; the hot ones come right back
        }
        cache.put(word, pieces);
        return pieces;
    }

    /** One symbol per character, the last one with the end-of-word marker. */
    private int[] initialSymbols(String word) {
        int n = word.length();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            String s = i == n - 1 ? word.charAt(i) + END_OF_WORD : String.valueOf(word.charAt(i));
            Integer id = symbolIds.get(s);
            if (id == null) {
                throw new IllegalStateException("not a byte-level symbol: " + s);
            }
            w[i] = id;
        }
        return w;
    }

    private String[] toStrings(int[] w) {
        String[] pieces = new String[w.length];
        for (int i = 0; i < w.length; i++) {
            pieces[i] = symbols.get(w[i]);
        }
        return pieces;
    }

    /** The reference algorithm: find the lowest-ranked pair, merge its occurrences left to right, repeat. */
    int[] mergeByScanning(int[] symbolsIn) {
        int[] w = symbolsIn.clone();
        int n = w.length;
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                int r = rank(w[i], w[i + 1]);
                if (r >= 0 && r < best) {
                    best = r;
                }
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            int left = mergeLeft[best], right = mergeRight[best], merged = mergeResult[best];
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
        return Arrays.copyOf(w, n);
    }

    /**
     * Same merges via a min-heap of (rank, position) pair occurrences over a linked list of symbols. Entries are
     * validated when popped (a merge may have consumed or changed their symbols); all entries of the lowest rank are
     * drained and applied in position order before anything else is popped, which is the reference's batch.
     */
    int[] mergeWithHeap(int[] symbolsIn) {
        int n = symbolsIn.length;
        int[] sym = symbolsIn.clone();
        int[] next = new int[n], prev = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(2 * n);
        for (int i = 0; i + 1 < n; i++) {
            int r = rank(sym[i], sym[i + 1]);
            if (r >= 0) {
                heap.push(((long) r << 32) | i);
            }
        }
        LongHeap batch = new LongHeap(16);
        while (!heap.isEmpty()) {
            int rank = (int) (heap.peek() >>> 32);
            while (!heap.isEmpty() && (int) (heap.peek() >>> 32) == rank) {
                batch.push(heap.pop()); // positions come out ascending: the key is rank << 32 | position
            }
            int left = mergeLeft[rank], right = mergeRight[rank], merged = mergeResult[rank];
            while (!batch.isEmpty()) {
                int p = (int) batch.pop();
                int q = next[p];
                if (dead[p] || sym[p] != left || q >= n || sym[q] != right) {
                    continue; // stale: an earlier merge changed this spot
                }
                sym[p] = merged;
                dead[q] = true;
                next[p] = next[q];
                if (next[q] < n) {
                    prev[next[q]] = p;
                }
                if (prev[p] >= 0) {
                    int r = rank(sym[prev[p]], merged);
                    if (r >= 0) {
                        heap.push(((long) r << 32) | prev[p]);
                    }
                }
                if (next[p] < n) {
                    int r = rank(merged, sym[next[p]]);
                    if (r >= 0) {
                        heap.push(((long) r << 32) | p);
                    }
                }
            }
        }
        int count = 0;
        for (int i = 0; i < n; i = next[i]) {
            sym[count++] = sym[i];
        }
        return Arrays.copyOf(sym, count);
    }

    /** A binary min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        long peek() {
            return a[0];
        }

        void push(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) {
                    break;
                }
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long last = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && a[c + 1] < a[c]) {
                    c++;
                }
                if (a[c] >= last) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            a[i] = last;
            return top;
        }
    }

    /** Test hook: the initial symbols of a byte-level word. */
    int[] symbolsOf(String word) {
        return initialSymbols(word);
    }
}

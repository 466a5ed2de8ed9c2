package dev.vega4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BytePairEncoderTest {
    @Test
    void theHeapAlgorithmMakesExactlyTheReferenceMerges() {
        BytePairEncoder bpe = new BytePairEncoder(
                ClipTokenizer.readMerges(Golden.root().resolve("tokenizer/tokenizer/merges.txt")));
        Random rnd = new Random(5);
        String[] alphabets = {"abcdefghijklmnopqrstuvwxyz", "aeiou", "an", "a", "ab", "0123456789", "!?.,()",
                "esrtlnai"};
        for (int it = 0; it < 1500; it++) {
            int len = 2 + rnd.nextInt(it % 10 == 0 ? 400 : 60);
            StringBuilder sb = new StringBuilder();
            String alpha = alphabets[rnd.nextInt(alphabets.length)];
            for (int i = 0; i < len; i++) {
                sb.append(rnd.nextInt(20) == 0 ? ByteLevel.charOf(rnd.nextInt(256)) : alpha.charAt(rnd.nextInt(alpha.length())));
            }
            String word = ByteLevel.encode(sb.toString()); // printable ASCII maps to itself
            int[] symbols = bpe.symbolsOf(word);
            assertThat(bpe.mergeWithHeap(symbols)).as(word).isEqualTo(bpe.mergeByScanning(symbols));
        }
    }

    @Test
    void aVeryLongWordStaysFast() {
        ClipTokenizer tok = ClipTokenizer.load(Golden.root().resolve("tokenizer/tokenizer"));
        // 20 000 characters without a space: the reference's quadratic BPE would take seconds here.
        Random rnd = new Random(1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append((char) ('a' + rnd.nextInt(26)));
        }
        int[] ids = tok.encodePadded(sb.toString());
        assertThat(ids).hasSize(77);
        assertThat(ids[76]).isEqualTo(tok.eosTokenId());
    }
}

package dev.vega4j.rng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class TorchGeneratorTest {
    @Test
    void rngGroupPasses() {
        ConformanceAssertions.assertGroupPasses("rng");
    }

    @Test
    void mersenneTwisterMatchesTheReferenceOutput() {
        // mt19937 with init_genrand(5489): the 10000th output is 4123659995 (C++ std::mt19937 requirement)
        Mt19937 mt = new Mt19937(5489);
        long v = 0;
        for (int i = 0; i < 10000; i++) {
            v = mt.nextInt() & 0xffffffffL;
        }
        assertThat(v).isEqualTo(4123659995L);
    }

    @Test
    void onlyTheLow32BitsOfTheSeedMatter() {
        float[] a = new TorchGenerator(5).randn(40).data();
        float[] b = new TorchGenerator((1L << 32) + 5).randn(40).data();
        assertThat(a).containsExactly(b);
    }

    @Test
    void seedsAsUsersTypeThem() {
        assertThat(Seeds.parse("18446744073709551615")).isEqualTo(-1L);
        assertThat(Seeds.parse(" 42 ")).isEqualTo(42L);
        assertThat(Seeds.parse("-1")).isEqualTo(Seeds.RANDOM);
        assertThatThrownBy(() -> Seeds.parse("abc")).isInstanceOf(VegaException.class).hasMessageContaining("seed");
        assertThatThrownBy(() -> Seeds.parse("18446744073709551616")).isInstanceOf(VegaException.class);
        Seeds.Resolved r = Seeds.resolve(Seeds.RANDOM);
        assertThat(r.picked()).isTrue();
        assertThat(r.seed()).isBetween(0L, 0xffffffffL);
        assertThat(Seeds.resolve(7).picked()).isFalse();
    }
}

package dev.vega4j.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.prompt.PromptAttention.Fragment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected values are AUTOMATIC1111's own (docstring of parse_prompt_attention, Python float arithmetic). */
class PromptAttentionTest {
    private static Fragment f(String t, double w) {
        return new Fragment(t, w);
    }

    @Test
    void a1111DocumentedExamples() {
        assertThat(PromptAttention.parse("normal text")).containsExactly(f("normal text", 1.0));
        assertThat(PromptAttention.parse("an (important) word"))
                .containsExactly(f("an ", 1.0), f("important", 1.1), f(" word", 1.0));
        assertThat(PromptAttention.parse("(unbalanced")).containsExactly(f("unbalanced", 1.1));
        assertThat(PromptAttention.parse("\\(literal\\]")).containsExactly(f("(literal]", 1.0));
        assertThat(PromptAttention.parse("(unnecessary)(parens)")).containsExactly(f("unnecessaryparens", 1.1));
        assertThat(PromptAttention.parse("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).")).containsExactly(
                f("a ", 1.0), f("house", 1.5730000000000004), f(" ", 1.1), f("on", 1.0), f(" a ", 1.1),
                f("hill", 0.55), f(", sun, ", 1.1), f("sky", 1.4641000000000006), f(".", 1.1));
    }

    @Test
    void nestingDividingExplicitWeightsAndEscapes() {
        assertThat(PromptAttention.parse("((word))")).containsExactly(f("word", 1.1 * 1.1));
        assertThat(PromptAttention.parse("[word]")).containsExactly(f("word", 1 / 1.1));
        assertThat(PromptAttention.parse("[[word]]")).containsExactly(f("word", (1 / 1.1) * (1 / 1.1)));
        assertThat(PromptAttention.parse("a (red: 1.3 ) car")).containsExactly(f("a ", 1.0), f("red", 1.3),
                f(" car", 1.0));
        assertThat(PromptAttention.parse("(x:-.5)")).containsExactly(f("x", -0.5));
        // a weight without an open bracket and an unmatched closer are literal text; a lone backslash vanishes
        assertThat(PromptAttention.parse("time: 12:30) x] \\ y")).containsExactly(
                f("time: 12:30) x]  y", 1.0));
        assertThat(PromptAttention.parse("\\\\(a)")).containsExactly(f("\\", 1.0), f("a", 1.1));
        assertThat(PromptAttention.parse("")).containsExactly(f("", 1.0));
        assertThatThrownBy(() -> PromptAttention.parse("(x:1.2.3)")).isInstanceOf(PromptSyntaxException.class);
    }

    @Test
    void weightsBeyondFloatRangeAreRefused() {
        // found by fuzzing: a 40-digit weight (or nested ones multiplying up) made infinite multipliers
        assertThatThrownBy(() -> PromptAttention.parse("(a:1" + "8".repeat(40) + ".2)"))
                .isInstanceOf(PromptSyntaxException.class).hasMessageContaining("out of range");
        String e20 = "1" + "0".repeat(20);
        assertThatThrownBy(() -> PromptAttention.parse("((a:" + e20 + "):" + e20 + ")"))
                .isInstanceOf(PromptSyntaxException.class); // 1e20 * 1e20
        assertThat(PromptAttention.parse("(a:" + "1" + "0".repeat(37) + ")")).containsExactly(f("a", 1e37));
    }

    @Test
    void breakSplitsIntoMarkers() {
        List<Fragment> p = PromptAttention.parse("a cat BREAK (a dog)");
        assertThat(p).containsExactly(f("a cat", 1.0), f("BREAK", -1), f("", 1.0), f("a dog", 1.1));
        assertThat(p.get(1).isBreak()).isTrue();
        assertThat(PromptAttention.parse("BREAKFAST")).containsExactly(f("BREAKFAST", 1.0));
    }
}

package dev.vega4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Row checks, names and seeds, without Spark. */
class RowParserTest {
    static InputRow row(long n, String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new InputRow(n, m, null);
    }

    @Test
    void defaultsAreGeneratesAndNumbersMayComeAsDecimals() {
        BatchRow r = RowParser.parse(row(3, "prompt", "a fox", "width", "512.0", "height", "768", "seed",
                "18446744073709551614"));
        assertThat(r.steps()).isEqualTo(25);
        assertThat(r.guidanceScale()).isEqualTo(7.5);
        assertThat(r.width()).isEqualTo(512);
        assertThat(r.seed()).isEqualTo(-2L); // 2^64 - 2: unsigned values above 2^63 arrive as negative longs
    }

    @Test
    void seedMinusOneMeansDerivedAndNamesComeFromContent() {
        BatchRow a = RowParser.parse(row(1, "prompt", "a fox", "seed", "-1"));
        BatchRow b = RowParser.parse(row(9, "prompt", "a fox"));
        assertThat(a.seed()).isNull();
        assertThat(a.name()).isEqualTo(RowParser.parse(row(5, "prompt", "a fox", "seed", "-1")).name())
                .startsWith("row-").hasSize(20);
        assertThat(b.name()).isNotEqualTo(a.name()); // "seed=-1" is part of the row as written
        assertThat(b.effectiveSeed(7)).isEqualTo(RowSeeds.derive(7, b.name())).isNotEqualTo(b.effectiveSeed(8));
        assertThat(RowSeeds.derive(7, "x")).isBetween(0L, 1L << 53);
    }

    @Test
    void badRowsSayWhy() {
        assertThatThrownBy(() -> RowParser.parse(row(1, "id", "x"))).hasMessage("prompt is missing");
        assertThatThrownBy(() -> RowParser.parse(row(1, "prompt", "p", "id", "../etc"))).isInstanceOf(
                BadRowException.class).hasMessageContaining("cannot name a file");
        assertThatThrownBy(() -> RowParser.parse(row(1, "prompt", "p", "steps", "2.5")))
                .hasMessage("steps must be a whole number, got '2.5'");
        assertThatThrownBy(() -> RowParser.parse(row(1, "prompt", "p", "seed", "abc")))
                .hasMessage("seed must be a whole number, got 'abc'");
        assertThatThrownBy(() -> RowParser.parse(row(1, "prompt", "p", "scheduler", "Nope")))
                .isInstanceOf(BadRowException.class).hasMessageContaining("Nope");
        assertThatThrownBy(() -> RowParser.parse(row(1, "prompt", "p", "lora", "x.safetensors:500")))
                .hasMessageStartingWith("lora: LoRA weight must be a number between -100 and 100");
        assertThatThrownBy(() -> RowParser.parse(new InputRow(2, Map.of(), "{\"prompt\":")))
                .hasMessage("not a JSON object: {\"prompt\":");
    }
}

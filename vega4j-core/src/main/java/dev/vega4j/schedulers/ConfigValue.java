package dev.vega4j.schedulers;

import dev.vega4j.VegaException;
import java.util.Arrays;
import java.util.List;

/**
 * A scheduler option that diffusers spells as a string in {@code scheduler_config.json} (e.g. {@code prediction_type
 * "v_prediction"}): an enum whose constants carry diffusers' exact spelling, so configs read and write the same
 * strings while the schedulers switch on constants.
 */
interface ConfigValue {
    /** The value as diffusers writes it in {@code scheduler_config.json}. */
    String value();

    /**
     * The constant spelled {@code value} (exactly, as diffusers compares), or a readable error naming the key and
     * listing every valid spelling.
     */
    static <E extends Enum<E> & ConfigValue> E parse(Class<E> type, String key, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.value().equals(value)) {
                return e;
            }
        }
        throw new VegaException(key + " '" + value + "' is not supported (use " + spellings(type) + ")");
    }

    /** The spellings of {@code type}'s constants in declaration order, as "a, b or c". */
    static <E extends Enum<E> & ConfigValue> String spellings(Class<E> type) {
        return oneOf(Arrays.stream(type.getEnumConstants()).map(ConfigValue::value).toList());
    }

    /** "a", "a or b", "a, b or c". */
    static String oneOf(List<String> values) {
        int n = values.size();
        return n == 1 ? values.get(0) : String.join(", ", values.subList(0, n - 1)) + " or " + values.get(n - 1);
    }
}

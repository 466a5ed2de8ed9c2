package dev.vega4j.bench;

import dev.vega4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameter counts of a model from its parameter shapes (nothing allocated), per top-level module
 * ({@code down_blocks}, {@code mid_block}, {@code up_blocks}, {@code conv_in}, ...).
 */
public record ParameterCounts(long total, Map<String, Long> byModule) {

    public ParameterCounts {
        byModule = Map.copyOf(byModule);
    }

    public static ParameterCounts of(Map<String, int[]> shapes) {
        Map<String, Long> by = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            long n = Tensor.numel(e.getValue());
            String name = e.getKey();
            int dot = name.indexOf('.');
            by.merge(dot < 0 ? name : name.substring(0, dot), n, Long::sum);
            total += n;
        }
        return new ParameterCounts(total, by);
    }

    /** Parameters of one top-level module (0 when absent). */
    public long of(String module) {
        return byModule.getOrDefault(module, 0L);
    }

    /** e.g. {@code total 745.2M (down_blocks 246.8M, mid_block 31.1M, up_blocks 459.9M)}. */
    public String summary(String... modules) {
        StringBuilder sb = new StringBuilder("total ").append(millions(total));
        if (modules.length > 0) {
            sb.append(" (");
            for (int i = 0; i < modules.length; i++) {
                sb.append(i > 0 ? ", " : "").append(modules[i]).append(' ').append(millions(of(modules[i])));
            }
            sb.append(')');
        }
        return sb.toString();
    }

    public static String millions(long n) {
        return String.format(java.util.Locale.ROOT, "%.1fM", n / 1e6);
    }
}

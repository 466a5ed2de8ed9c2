package dev.vega4j.fuzz;

import dev.vega4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzz input as tensor names with shapes, one per line: {@code name} or {@code name d0,d1,...} (zeros; a missing
 * shape is [1]). Shapes are capped so that a line never costs more than {@link #MAX_ELEMENTS} floats.
 */
final class NamedTensors {
    static final int MAX_ELEMENTS = 16384;
    static final int MAX_TENSORS = 2000;

    private NamedTensors() {}

    static Map<String, Tensor> parse(String text) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (out.size() >= MAX_TENSORS) {
                break;
            }
            int sp = line.lastIndexOf(' ');
            String name = sp < 0 ? line : line.substring(0, sp);
            int[] shape = sp < 0 ? new int[] {1} : shape(line.substring(sp + 1));
            out.put(name, Tensor.zeros(shape));
        }
        return out;
    }

    private static int[] shape(String s) {
        String[] parts = s.split(",", 5);
        int[] shape = new int[Math.min(parts.length, 4)];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            int d;
            try {
                d = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                d = 1;
            }
            d = Math.max(1, Math.min(d, 1024));
            if (n * d > MAX_ELEMENTS) {
                d = 1;
            }
            n *= d;
            shape[i] = d;
        }
        return shape;
    }
}

package dev.vega4j.train.autograd;

import dev.vega4j.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reverse-mode differentiation over the graph the {@link F} ops record: a topological order from the output, then
 * every node's backward in reverse order. Intermediate gradients are dropped once used, so peak memory is the forward
 * activations plus a frontier of gradients. Re-entrant (gradient checkpointing runs a backward inside a backward).
 */
public final class Autograd {
    private static final ThreadLocal<Boolean> NO_GRAD = ThreadLocal.withInitial(() -> false);

    private Autograd() {}

    /** True while {@link #noGrad} runs: ops record nothing and return constants. */
    public static boolean gradEnabled() {
        return !NO_GRAD.get();
    }

    /** Runs {@code body} without recording a graph (evaluation, teacher forwards, the first pass of a checkpoint). */
    public static <T> T noGrad(Supplier<T> body) {
        boolean before = NO_GRAD.get();
        NO_GRAD.set(true);
        try {
            return body.get();
        } finally {
            NO_GRAD.set(before);
        }
    }

    /** Backward from a scalar output (gradient 1). */
    public static void backward(Var output) {
        if (output.numel() != 1) {
            throw new IllegalArgumentException("backward() needs a scalar; pass the output gradient for " + output);
        }
        backward(output, Tensor.full(1f, output.shape()));
    }

    /** Backward with an explicit output gradient; leaf (parameter) gradients accumulate. */
    public static void backward(Var output, Tensor gradOutput) {
        if (!output.requiresGrad()) {
            return;
        }
        List<Var> order = topologicalOrder(output);
        output.accumulate(gradOutput);
        for (int i = order.size() - 1; i >= 0; i--) {
            Var v = order.get(i);
            if (v.backward == null) {
                continue;
            }
            Tensor g = v.grad;
            if (g != null) {
                v.backward.apply(g);
                v.grad = null; // intermediate: no longer needed
            }
        }
    }

    private static List<Var> topologicalOrder(Var root) {
        List<Var> order = new ArrayList<>();
        Map<Var, Boolean> seen = new IdentityHashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Var v = (Var) top[0];
            int next = (Integer) top[1];
            if (next < v.parents.length) {
                top[1] = next + 1;
                Var p = v.parents[next];
                if (p.requiresGrad() && !p.isLeaf() && seen.put(p, true) == null) {
                    stack.push(new Object[] {p, 0});
                }
            } else {
                stack.pop();
                order.add(v);
            }
        }
        return Collections.unmodifiableList(order);
    }
}

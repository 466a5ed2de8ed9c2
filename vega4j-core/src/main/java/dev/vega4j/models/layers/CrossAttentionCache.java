package dev.vega4j.models.layers;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Cross-attention keys and values, computed once per generation. {@code to_k(context)} and {@code to_v(context)}
 * depend only on the prompt embedding, which stays the same for every denoising step, so inside a
 * {@link #during(Supplier) generation scope} each cross-attention projects them the first time it sees a context and
 * reuses them while the same context tensor (by identity) comes back.
 *
 * <p>The scope is a {@link ScopedValue}: it covers exactly the calls made inside it on the calling thread (the UNet's
 * blocks run on the caller's thread; only the ops fan out), and it ends with the generation, so an adapter fused or a
 * prompt changed between generations can never see stale projections. Outside a scope nothing is cached. A context
 * tensor must not be modified in place inside a scope (the pipeline never does).
 */
public final class CrossAttentionCache {
    private static final ScopedValue<CrossAttentionCache> CURRENT = ScopedValue.newInstance();

    private record Entry(Object context, Attention.KeyValue kv) {}

    private final Map<Attention, Entry> entries = new IdentityHashMap<>();

    private CrossAttentionCache() {}

    /** Runs {@code work} with a fresh cache (one generation). */
    public static <T> T during(Supplier<T> work) {
        return ScopedValue.where(CURRENT, new CrossAttentionCache()).call(work::get);
    }

    /** Whether the calling code runs inside a generation scope. */
    public static boolean active() {
        return CURRENT.isBound();
    }

    /** {@code attention.keyValue(context)}, from the current scope's cache when there is one. */
    static Attention.KeyValue keyValue(Attention attention, dev.vega4j.tensor.Tensor context) {
        if (!CURRENT.isBound()) {
            return attention.keyValue(context);
        }
        return CURRENT.get().lookup(attention, context);
    }

    private synchronized Attention.KeyValue lookup(Attention attention, dev.vega4j.tensor.Tensor context) {
        Entry e = entries.get(attention);
        if (e != null && e.context() == context) {
            return e.kv();
        }
        Attention.KeyValue kv = attention.keyValue(context);
        entries.put(attention, new Entry(context, kv));
        return kv;
    }
}

package dev.vega4j.tensor.kernels;

import dev.vega4j.tensor.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * Optional cache of packed weight panels, keyed weakly by the identity of the weight's storage
 * ({@link Tensor#storageKey()}: views made by {@code reshape} share it), so repeated calls with the same weight skip
 * repacking. Off by default: it holds every weight used a second time, as float32 (three times the size of a
 * half-precision weight), and a weight modified in place (training) would be served stale. Enable with
 * {@code -Dvega.packCache=true} ({@link dev.vega4j.tensor.Switches#packCache()}).
 */
public final class PackCache {
    private final boolean enabled;
    private final Map<Object, Object> packedA = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<Object, Object> packedB = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<Object, Object> winograd = Collections.synchronizedMap(new WeakHashMap<>());

    public PackCache(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Forgets the packed forms of this weight (its values were changed in place). */
    public void invalidate(Tensor weight) {
        packedA.remove(weight.storageKey());
        packedB.remove(weight.storageKey());
        winograd.remove(weight.storageKey());
    }

    public Gemm.PackedA packedA(Tensor weight, Supplier<Gemm.PackedA> pack) {
        if (!enabled) {
            return pack.get();
        }
        Object hit = packedA.get(weight.storageKey());
        if (hit instanceof Gemm.PackedA p && p.m() == weight.dim(0) && p.k() == weight.numel() / weight.dim(0)) {
            return p;
        }
        Gemm.PackedA p = pack.get();
        packedA.put(weight.storageKey(), p);
        return p;
    }

    public Gemm.PackedB packedB(Tensor weight, Supplier<Gemm.PackedB> pack) {
        if (!enabled) {
            return pack.get();
        }
        Object hit = packedB.get(weight.storageKey());
        if (hit instanceof Gemm.PackedB p && p.n() == weight.dim(0) && p.k() == weight.numel() / weight.dim(0)) {
            return p;
        }
        Gemm.PackedB p = pack.get();
        packedB.put(weight.storageKey(), p);
        return p;
    }

    /** Winograd-transformed weights (α²/9 times the weight's size: only kept when the cache is on). */
    public Winograd.PackedWeights winograd(Tensor weight, WinogradTransform tf, Supplier<Winograd.PackedWeights> pack) {
        if (!enabled) {
            return pack.get();
        }
        Object hit = winograd.get(weight.storageKey());
        if (hit instanceof Winograd.PackedWeights p && p.transform() == tf && p.cout() == weight.dim(0)
                && p.cin() == weight.dim(1)) {
            return p;
        }
        Winograd.PackedWeights p = pack.get();
        winograd.put(weight.storageKey(), p);
        return p;
    }
}

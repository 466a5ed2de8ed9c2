package dev.vega4j.lora;

import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An adapter merged into the weights ({@link LoraTargets#fuse}). By default the weights it changed are kept as they
 * were before, so {@link #unfuse()} restores them bit for bit (diffusers' {@code unfuse_lora} subtracts the update
 * again, which only restores them up to rounding). That copy costs the memory of every patched weight; fused with
 * {@code keepOriginals = false} the handle subtracts like diffusers instead and keeps nothing. A weight kept in the
 * mapped file (read-only, {@link Tensor#isMapped()}: float32, fp16 or bf16) is replaced by a heap float32 copy that the
 * adapter is fused into; unfusing puts the mapped tensor itself back, so that layer is restored exactly and its weight
 * leaves the heap again.
 */
public final class FusedLora implements AutoCloseable {
    private final LoraTargets owner;
    private final LoraAdapter adapter;
    private final float scale;
    private final List<Tensor> weights = new ArrayList<>();
    private final List<float[]> originals = new ArrayList<>();
    /** Per target: the mapped weight its layer had before (swapped back on unfuse), or null. */
    private final List<Tensor> mappedOriginals = new ArrayList<>();
    private final List<LoraTargets.Resolved> targets = new ArrayList<>();
    private boolean keepOriginals = true;
    private boolean unfused;

    private FusedLora(LoraTargets owner, LoraAdapter adapter, float scale) {
        this.owner = owner;
        this.adapter = adapter;
        this.scale = scale;
    }

    static FusedLora fuse(LoraTargets owner, LoraAdapter adapter, List<LoraTargets.Resolved> targets, float scale,
            boolean keepOriginals) {
        FusedLora f = new FusedLora(owner, adapter, scale);
        f.keepOriginals = keepOriginals;
        f.targets.addAll(targets);
        for (LoraTargets.Resolved r : targets) {
            Tensor w = r.layer().weight();
            if (w.isMapped()) {
                // a read-only mapped weight: fuse into a heap float32 copy, and keep the mapped one (it costs no heap
                // and puts the layer back exactly, whatever keepOriginals says)
                f.mappedOriginals.add(w);
                w = w.toFloat32();
                r.layer().setWeight(w);
            } else {
                f.mappedOriginals.add(null);
            }
            f.weights.add(w);
            if (keepOriginals) {
                f.originals.add(f.mappedOriginals.getLast() != null ? null : w.data().clone());
            }
        }
        for (LoraTargets.Resolved r : targets) {
            LoraMath.fuseInto(r.layer().weight(), r.module(), scale);
        }
        return f;
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    public float scale() {
        return scale;
    }

    /** Puts back the weights as they were before this adapter was fused (idempotent). */
    public synchronized void unfuse() {
        if (unfused) {
            return;
        }
        owner.unfused(this);
        // reverse order: a layer patched twice by one adapter gets its first saved copy back last
        for (int i = weights.size() - 1; i >= 0; i--) {
            Tensor mapped = mappedOriginals.get(i);
            if (mapped != null) {
                targets.get(i).layer().setWeight(mapped);
                dev.vega4j.tensor.Ops.get().weightChanged(weights.get(i));
            } else if (keepOriginals) {
                float[] o = originals.get(i);
                System.arraycopy(o, 0, weights.get(i).data(), 0, o.length);
                dev.vega4j.tensor.Ops.get().weightChanged(weights.get(i));
            } else {
                LoraMath.unfuseFrom(weights.get(i), targets.get(i).module(), scale);
            }
        }
        originals.clear();
        mappedOriginals.clear();
        unfused = true;
    }

    @Override
    public void close() {
        unfuse();
    }
}

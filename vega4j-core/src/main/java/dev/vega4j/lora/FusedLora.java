package dev.vega4j.lora;

import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An adapter merged into the weights ({@link LoraTargets#fuse}). The weights it changed are kept as they were before,
 * so {@link #unfuse()} restores them bit for bit (diffusers' {@code unfuse_lora} subtracts the update again, which
 * only restores them up to rounding).
 */
public final class FusedLora implements AutoCloseable {
    private final LoraTargets owner;
    private final LoraAdapter adapter;
    private final float scale;
    private final List<Tensor> weights = new ArrayList<>();
    private final List<float[]> originals = new ArrayList<>();
    private boolean unfused;

    private FusedLora(LoraTargets owner, LoraAdapter adapter, float scale) {
        this.owner = owner;
        this.adapter = adapter;
        this.scale = scale;
    }

    static FusedLora fuse(LoraTargets owner, LoraAdapter adapter, List<LoraTargets.Resolved> targets, float scale) {
        FusedLora f = new FusedLora(owner, adapter, scale);
        for (LoraTargets.Resolved r : targets) {
            Tensor w = r.layer().weight();
            f.weights.add(w);
            f.originals.add(w.data().clone());
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
            float[] o = originals.get(i);
            System.arraycopy(o, 0, weights.get(i).data(), 0, o.length);
            dev.vega4j.tensor.Ops.get().weightChanged(weights.get(i));
        }
        unfused = true;
    }

    @Override
    public void close() {
        unfuse();
    }
}

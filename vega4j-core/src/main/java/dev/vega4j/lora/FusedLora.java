package dev.vega4j.lora;

import dev.vega4j.models.layers.AdaptableLayer;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An adapter merged into the weights ({@link LoraTargets#fuse}). By default the weights it changed are kept as they
 * were before, so {@link #unfuse()} restores them bit for bit (diffusers' {@code unfuse_lora} subtracts the update
 * again, which only restores them up to rounding). That copy costs the memory of every patched weight; fused with
 * {@code keepOriginals = false} the handle subtracts like diffusers instead and keeps nothing.
 *
 * <p>A weight held in a memory segment (read-only, {@link Tensor#isMapped()}: the mapped file's float32, fp16 or
 * bf16) is fused layer by layer into a temporary heap float32 copy, which is then moved to native memory outside the
 * Java heap ({@link Tensor.Storage#MAPPED_F32}, the same float32 bits) and set as the layer's weight. So fusing an
 * adapter into a mapped model puts nothing on the heap for long: Segmind-VegaRT's LCM-LoRA changes 2.75 GiB of Vega's
 * UNet, which would not fit the launcher's default heap next to a 1024² generation's activations. Unfusing puts the
 * original tensor itself back (whatever {@code keepOriginals} says), so that layer is restored exactly and the native
 * copy becomes garbage ({@link Arena#ofAuto()}: freed once unreachable). Heap float32 weights
 * ({@code -Dvega.weights.fp32=true}, or below {@link dev.vega4j.io.WeightResidency#MIN_ELEMENTS}) are fused in place.
 */
public final class FusedLora implements AutoCloseable {
    /** Native float32 as {@link Tensor.Storage#MAPPED_F32} reads it. */
    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final LoraTargets owner;
    private final LoraAdapter adapter;
    private final float scale;
    /** Per target, in fusing order: the weight the update went into (a heap weight, or the native fused copy). */
    private final List<Tensor> weights = new ArrayList<>();
    /** Per target when keepOriginals: a heap weight's values before, or null for a swapped segment weight. */
    private final List<float[]> originals = new ArrayList<>();
    /** Per target: the segment-held weight its layer had before (swapped back on unfuse), or null. */
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
        try {
            // one target at a time, in order: a layer patched twice by one adapter gets both updates in that order
            // (the second one fuses into the first one's native copy), and at most one layer's temporary heap copy
            // exists at a time
            for (LoraTargets.Resolved r : targets) {
                f.fuseOne(r);
            }
        } catch (RuntimeException | Error e) {
            // a half-fused adapter has no handle to unfuse it with: put back what was done so far
            f.restore();
            throw e;
        }
        return f;
    }

    private void fuseOne(LoraTargets.Resolved r) {
        AdaptableLayer layer = r.layer();
        Tensor w = layer.weight();
        if (w.isMapped()) {
            Tensor work = w.toFloat32();
            LoraMath.fuseInto(work, r.module(), scale);
            Tensor fused = offHeap(work);
            layer.setWeight(fused);
            add(r, fused, w, null);
        } else {
            float[] before = keepOriginals ? w.data().clone() : null;
            LoraMath.fuseInto(w, r.module(), scale);
            add(r, w, null, before);
        }
    }

    private void add(LoraTargets.Resolved r, Tensor weight, Tensor mappedOriginal, float[] original) {
        targets.add(r);
        weights.add(weight);
        mappedOriginals.add(mappedOriginal);
        if (keepOriginals) {
            originals.add(original);
        }
    }

    /**
     * The values of heap float32 {@code t} in native memory as a {@link Tensor.Storage#MAPPED_F32} tensor of the same
     * shape: a raw copy of the float bits (little-endian, as the storage kind defines), so every value is identical.
     */
    static Tensor offHeap(Tensor t) {
        float[] values = t.data();
        MemorySegment seg = Arena.ofAuto().allocate(LE_F32, values.length);
        MemorySegment.copy(values, 0, seg, LE_F32, 0, values.length);
        return Tensor.ofMapped(seg, Tensor.Storage.MAPPED_F32, t.shape());
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
        restore();
    }

    /** Undoes every fused target so far, in reverse order (a layer patched twice gets its first weight back last). */
    private void restore() {
        for (int i = weights.size() - 1; i >= 0; i--) {
            Tensor mapped = mappedOriginals.get(i);
            if (mapped != null) {
                targets.get(i).layer().setWeight(mapped);
                Ops.get().weightChanged(weights.get(i)); // drops any packed copy of the native fused weight
            } else if (keepOriginals) {
                float[] o = originals.get(i);
                System.arraycopy(o, 0, weights.get(i).data(), 0, o.length);
                Ops.get().weightChanged(weights.get(i));
            } else {
                LoraMath.unfuseFrom(weights.get(i), targets.get(i).module(), scale);
            }
        }
        // let the native fused copies go even while this handle is still referenced
        weights.clear();
        originals.clear();
        mappedOriginals.clear();
        targets.clear();
        unfused = true;
    }

    @Override
    public void close() {
        unfuse();
    }
}

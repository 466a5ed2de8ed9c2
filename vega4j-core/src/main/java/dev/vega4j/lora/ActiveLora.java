package dev.vega4j.lora;

import dev.vega4j.models.layers.LayerDelta;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An adapter attached unfused ({@link LoraTargets#attach}): every patched layer adds
 * {@code (weight · scale) · (alpha/rank) · up(down(x))} to its output. {@link #setUnetScale} is diffusers'
 * {@code cross_attention_kwargs["scale"]}, {@link #setTextEncoderScale} its {@code encode_prompt(lora_scale=)}; both
 * start at 1 and multiply the adapter's own {@link #weight()}.
 */
public final class ActiveLora implements AutoCloseable {
    private final LoraAdapter adapter;
    private final float weight;
    private final List<Attached> attached = new ArrayList<>();
    private volatile float unetScale = 1f;
    private volatile float textEncoderScale = 1f;
    private boolean detached;

    private record Attached(LoraTargets.Resolved target, LayerDelta delta) {}

    ActiveLora(LoraAdapter adapter, List<LoraTargets.Resolved> targets, float weight) {
        this.adapter = adapter;
        this.weight = weight;
        for (LoraTargets.Resolved r : targets) {
            Tensor down = LoraMath.down(r.module(), r.layer());
            Tensor up = LoraMath.up(r.module(), r.layer());
            Float aor = r.module().alphaOverRank();
            boolean text = r.component().textEncoder();
            LayerDelta d = (x, y) -> LoraMath.delta(x, down, up, r.layer(), aor, scale(text));
            attached.add(new Attached(r, d));
        }
        for (Attached a : attached) {
            a.target().layer().deltas().add(a.delta());
        }
    }

    /** The factor in front of the update: diffusers' {@code scale} (python float) times the adapter weight. */
    private float scale(boolean text) {
        return (float) ((double) weight * (text ? textEncoderScale : unetScale));
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    public float weight() {
        return weight;
    }

    /**
     * Both scales at once: what a diffusers pipeline call with {@code cross_attention_kwargs={"scale": s}} does (it
     * also passes {@code lora_scale=s} to {@code encode_prompt}).
     */
    public void setScale(float s) {
        this.unetScale = s;
        this.textEncoderScale = s;
    }

    public void setUnetScale(float s) {
        this.unetScale = s;
    }

    public void setTextEncoderScale(float s) {
        this.textEncoderScale = s;
    }

    /** Number of layers patched. */
    public int size() {
        return attached.size();
    }

    /** Removes the adapter from every layer (idempotent). */
    public synchronized void detach() {
        if (detached) {
            return;
        }
        for (Attached a : attached) {
            a.target().layer().deltas().remove(a.delta());
        }
        detached = true;
    }

    @Override
    public void close() {
        detach();
    }
}

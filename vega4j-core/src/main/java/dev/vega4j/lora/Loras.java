package dev.vega4j.lora;

import dev.vega4j.hub.DownloadListener;
import dev.vega4j.hub.HubCache;
import dev.vega4j.pipeline.Pipeline;
import java.util.ArrayList;
import java.util.List;

/**
 * Applying user-chosen LoRAs ({@link LoraSpec}) to a loaded pipeline: what {@code vega generate --lora ...} and the
 * server need. Fusing is the fast choice for a fixed set of adapters (no per-step cost, like
 * {@code pipe.fuse_lora()}); attaching keeps the weights untouched and lets scales change per call.
 */
public final class Loras {
    private Loras() {}

    /** Reads every adapter (local files, folders or Hub repos). */
    public static List<LoraAdapter> load(List<LoraSpec> specs, HubCache hub, DownloadListener listener) {
        List<LoraAdapter> out = new ArrayList<>();
        for (LoraSpec s : specs) {
            out.add(LoraAdapter.load(LoraSource.resolve(s.source(), hub, listener)));
        }
        return out;
    }

    /**
     * Fuses every adapter into the pipeline's UNet and text encoders with its weight; all are checked against the
     * model before any weight changes. Unfuse the returned handles in reverse order to restore the model.
     */
    public static List<FusedLora> fuse(Pipeline pipeline, List<LoraSpec> specs, List<LoraAdapter> adapters) {
        return fuse(pipeline, specs, adapters, true);
    }

    /** As above; {@code keepOriginals = false} saves the copy of every patched weight (see {@link FusedLora}). */
    public static List<FusedLora> fuse(Pipeline pipeline, List<LoraSpec> specs, List<LoraAdapter> adapters,
            boolean keepOriginals) {
        LoraTargets t = LoraTargets.of(pipeline);
        for (LoraAdapter a : adapters) {
            t.resolve(a); // fail before touching anything
        }
        List<FusedLora> out = new ArrayList<>();
        for (int i = 0; i < adapters.size(); i++) {
            out.add(t.fuse(adapters.get(i), specs.get(i).weight(), keepOriginals));
        }
        return out;
    }

    /** Attaches every adapter unfused with its weight. */
    public static List<ActiveLora> attach(Pipeline pipeline, List<LoraSpec> specs,
            List<LoraAdapter> adapters) {
        LoraTargets t = LoraTargets.of(pipeline);
        for (LoraAdapter a : adapters) {
            t.resolve(a);
        }
        List<ActiveLora> out = new ArrayList<>();
        for (int i = 0; i < adapters.size(); i++) {
            out.add(t.attach(adapters.get(i), specs.get(i).weight()));
        }
        return out;
    }
}

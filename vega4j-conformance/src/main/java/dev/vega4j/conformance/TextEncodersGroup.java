package dev.vega4j.conformance;

import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.models.clip.ClipTextOutput;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code cases/text_encoders}: for each encoder {@code E} of a case ({@code E.input_ids} present), run the encoder of
 * the case's pipeline folder on those ids and compare {@code E.hidden_states_all}, {@code E.hidden_states_minus2},
 * {@code E.last_hidden_state}, {@code E.pooler_output}, {@code E.text_embeds} (whichever the case lists) at
 * {@code max|d| <= 1e-4 * max(1, max|ref|)} (golden README, tolerances).
 */
public final class TextEncodersGroup implements ConformanceGroup {
    static final double TOL = 1e-4;

    @Override
    public String name() {
        return "text_encoders";
    }

    @Override
    public List<CaseResult> run(GoldenGroup group) {
        Map<Path, ClipTextEncoder> cache = new HashMap<>();
        return ConformanceGroup.checkEachCase(group, c -> runCase(c, cache));
    }

    private static CaseResult runCase(GoldenCase c, Map<Path, ClipTextEncoder> cache) {
        CaseResult r = new CaseResult(c.id());
        List<String> encoders = new ArrayList<>();
        for (Iterator<String> it = c.json().get("tensors").fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.endsWith(".input_ids")) {
                encoders.add(key.substring(0, key.length() - ".input_ids".length()));
            }
        }
        if (encoders.isEmpty()) {
            return r.fail("case lists no <encoder>.input_ids");
        }
        for (String enc : encoders) {
            Path dir = c.modelDir().resolve(enc);
            ClipTextEncoder model = cache.computeIfAbsent(dir, ClipTextEncoder::fromPretrained);
            ClipTextOutput out = model.forward(ids(c.tensor(enc + ".input_ids")));
            int compared = 0;
            if (c.has(enc + ".hidden_states_all")) {
                Tensor[] hs = out.hiddenStates().toArray(Tensor[]::new);
                r.add(Comparison.absScaled(enc + ".hidden_states_all", Tensor.cat0(hs),
                        c.tensor(enc + ".hidden_states_all"), TOL));
                compared++;
            }
            if (c.has(enc + ".hidden_states_minus2")) {
                r.add(Comparison.absScaled(enc + ".hidden_states_minus2", out.hiddenState(-2),
                        c.tensor(enc + ".hidden_states_minus2"), TOL));
                compared++;
            }
            if (c.has(enc + ".last_hidden_state")) {
                r.add(Comparison.absScaled(enc + ".last_hidden_state", out.lastHiddenState(),
                        c.tensor(enc + ".last_hidden_state"), TOL));
                compared++;
            }
            if (c.has(enc + ".pooler_output")) {
                r.add(Comparison.absScaled(enc + ".pooler_output", out.pooledOutput(),
                        c.tensor(enc + ".pooler_output"), TOL));
                compared++;
            }
            if (c.has(enc + ".text_embeds")) {
                if (out.textEmbeds() == null) {
                    return r.fail(enc + ": the case has text_embeds but the config is not CLIPTextModelWithProjection");
                }
                r.add(Comparison.absScaled(enc + ".text_embeds", out.textEmbeds(), c.tensor(enc + ".text_embeds"),
                        TOL));
                compared++;
            }
            if (compared == 0) {
                return r.fail(enc + ": no output tensor to compare");
            }
        }
        return r;
    }

    /** Token ids stored as exact float32, [B, T]. */
    static int[][] ids(Tensor t) {
        int b = t.rank() == 1 ? 1 : t.dim(0), len = t.dim(-1);
        int[][] out = new int[b][len];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < len; j++) {
                out[i][j] = Math.round(t.data()[i * len + j]);
            }
        }
        return out;
    }
}

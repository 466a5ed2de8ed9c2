package dev.vega4j.conformance;

import dev.vega4j.tokenizer.ClipTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.CaseResult;
import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.ConformanceGroup;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Golden group {@code tokenizer}: for every prompt and every tokenizer folder the manifest lists
 * ({@code tokenizer_dirs}), the padded {@code input_ids} (from the manifest and from {@code input_ids.safetensors}),
 * {@code untruncated_ids} and {@code tokens} must match exactly.
 */
public final class TokenizerConformance implements ConformanceGroup {
    private static final String IDS_FILE = "input_ids.safetensors";

    @Override
    public String name() {
        return "tokenizer";
    }

    @Override
    public List<CaseResult> run(GoldenGroup group) {
        Map<String, ClipTokenizer> tokenizers = new LinkedHashMap<>();
        JsonNode dirs = group.manifest().get("tokenizer_dirs");
        if (dirs == null || !dirs.isArray()) {
            return List.of(CaseResult.error("(group)", "manifest has no tokenizer_dirs"));
        }
        for (JsonNode d : dirs) {
            Path p = group.root().resolve(d.asText());
            tokenizers.put(p.getFileName().toString(), ClipTokenizer.load(p));
        }
        Path idsPath = group.dir().resolve(IDS_FILE);
        SafetensorsFile idsFile = Files.isRegularFile(idsPath) ? SafetensorsFile.open(idsPath) : null;
        try {
            Map<String, Tensor> padded = new LinkedHashMap<>();
            if (idsFile != null) {
                for (String name : tokenizers.keySet()) {
                    if (idsFile.contains(name + ".input_ids")) {
                        padded.put(name, idsFile.load(name + ".input_ids"));
                    }
                }
            }
            List<CaseResult> results = new ArrayList<>();
            int row = 0;
            for (GoldenCase c : group.cases()) {
                results.add(check(c, row++, tokenizers, padded));
            }
            return results;
        } finally {
            if (idsFile != null) {
                idsFile.close();
            }
        }
    }

    private static CaseResult check(GoldenCase c, int row, Map<String, ClipTokenizer> tokenizers,
            Map<String, Tensor> padded) {
        JsonNode json = c.json();
        String prompt = json.path("prompt").asText();
        CaseResult r = new CaseResult(caseId(json, row, prompt));
        for (Map.Entry<String, ClipTokenizer> e : tokenizers.entrySet()) {
            String name = e.getKey();
            ClipTokenizer tok = e.getValue();
            JsonNode ref = json.get(name);
            if (ref == null) {
                continue;
            }
            int maxLength = ref.path("input_ids").size();
            int[] ids = tok.encodePadded(prompt, maxLength);
            r.add(Comparison.exact(name + ".input_ids", floats(ids), floats(ref.get("input_ids"))));
            Tensor stored = padded.get(name);
            if (stored != null && stored.shape().length == 2 && row < stored.shape()[0]) {
                int width = stored.shape()[1];
                float[] refRow = new float[width];
                System.arraycopy(stored.data(), row * width, refRow, 0, width);
                r.add(Comparison.exact(name + ".input_ids[" + row + "] (safetensors)",
                        floats(tok.encodePadded(prompt, width)), refRow));
            }
            r.add(Comparison.exact(name + ".untruncated_ids", floats(tok.encode(prompt)),
                    floats(ref.get("untruncated_ids"))));
            r.add(compareTokens(name + ".tokens", tok.tokenize(prompt), ref.get("tokens")));
        }
        return r;
    }

    private static String caseId(JsonNode json, int row, String prompt) {
        String id = json.has("id") ? json.get("id").asText() : String.valueOf(json.path("index").asInt(row));
        String shown = prompt.length() > 24 ? prompt.substring(0, 24) + "…" : prompt;
        return id + " " + shown.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }

    private static Comparison compareTokens(String what, List<String> ours, JsonNode ref) {
        List<String> expected = new ArrayList<>();
        ref.forEach(t -> expected.add(t.asText()));
        int first = -1;
        for (int i = 0; i < Math.max(ours.size(), expected.size()); i++) {
            String a = i < ours.size() ? ours.get(i) : null, b = i < expected.size() ? expected.get(i) : null;
            if (a == null || !a.equals(b)) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return new Comparison(what, true, 0, 0, 0, 0, 0, "exact");
        }
        String note = "first difference at " + first + ": ours "
                + ours.subList(first, Math.min(ours.size(), first + 4)) + " vs reference "
                + expected.subList(first, Math.min(expected.size(), first + 4));
        return new Comparison(what, false, 1, 0, first, Float.NaN, Float.NaN, note);
    }

    private static float[] floats(int[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            f[i] = ids[i];
        }
        return f;
    }

    private static float[] floats(JsonNode arr) {
        float[] f = new float[arr == null ? 0 : arr.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) arr.get(i).asDouble();
        }
        return f;
    }
}

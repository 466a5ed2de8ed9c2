package dev.vega4j.lora;

/**
 * A LoRA the user asked for, as the CLI / server take it: {@code ID_OR_PATH[:weight]} - a {@code .safetensors} file, a
 * folder holding one, or a Hugging Face repo id ({@code org/name[@revision]}), optionally followed by {@code :} and
 * the adapter's weight (default 1). {@code C:\loras\x.safetensors} stays a path: only a suffix that parses as a
 * number is taken as the weight.
 */
public record LoraSpec(String source, float weight) {

    public LoraSpec {
        if (source == null || source.isBlank()) {
            throw new LoraException("empty LoRA source");
        }
        if (!Float.isFinite(weight) || Math.abs(weight) > 100) {
            throw new LoraException("LoRA weight must be a number between -100 and 100, got " + weight);
        }
    }

    public static LoraSpec parse(String s) {
        if (s == null || s.isBlank()) {
            throw new LoraException("empty LoRA argument (expected ID_OR_PATH[:weight])");
        }
        String t = s.strip();
        int colon = t.lastIndexOf(':');
        if (colon > 0 && colon < t.length() - 1) {
            String tail = t.substring(colon + 1);
            if (tail.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                return new LoraSpec(t.substring(0, colon), Float.parseFloat(tail));
            }
        }
        return new LoraSpec(t, 1f);
    }

    @Override
    public String toString() {
        return weight == 1f ? source : source + ":" + weight;
    }
}

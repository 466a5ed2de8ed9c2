package dev.vega4j.lora;

import dev.vega4j.pipeline.GenerationRequest;

/**
 * Segmind's VegaRT: Segmind-Vega with the LCM-LoRA {@code segmind/Segmind-VegaRT} fused, sampled with
 * {@code LCMScheduler}, 4 steps, guidance 1 (no classifier-free guidance), as its model card shows
 * ({@code pipe.load_lora_weights("segmind/Segmind-VegaRT"); pipe.fuse_lora()}). What {@code --preset vegart} sets.
 */
public final class VegaRt {
    public static final String LORA_REPO = "segmind/Segmind-VegaRT";
    public static final String BASE_MODEL = "segmind/Segmind-Vega";
    public static final String SCHEDULER = "LCM";
    public static final int STEPS = 4;
    public static final double GUIDANCE = 1.0;
    /** The server's model name for VegaRT ({@code POST /v1/segmind-vega-rt}), as Segmind's own API calls it. */
    public static final String SLUG = "segmind-vega-rt";
    /** The step range Segmind's VegaRT API accepts; LCM needs no more, and fewer than 4 loses too much detail. */
    public static final int MIN_STEPS = 4;
    public static final int MAX_STEPS = 10;

    private VegaRt() {}

    /** The preset's sampling settings on top of a request builder (the LoRA is applied to the pipeline). */
    public static GenerationRequest.Builder apply(GenerationRequest.Builder b) {
        return b.scheduler(SCHEDULER).steps(STEPS).guidanceScale(GUIDANCE);
    }

    public static LoraSpec lora() {
        return new LoraSpec(LORA_REPO, 1f);
    }
}

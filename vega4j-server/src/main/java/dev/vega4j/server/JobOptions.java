package dev.vega4j.server;

import java.util.List;

/**
 * What a request asks beyond a {@link dev.vega4j.pipeline.GenerationRequest}: LoRA adapters applied for this job only,
 * and AUTOMATIC1111's prompt handling (emphasis syntax, 75-token chunks). Plus how the A1111 infotext shows the prompts
 * (A1111 keeps its {@code <lora:...>} tags there, so "PNG info → txt2img" reproduces the image).
 *
 * @param loras            adapters in the order given
 * @param promptWeighting  A1111 weighting and long prompts (off = diffusers' encode_prompt)
 * @param infotextPrompt   the prompt as the infotext shows it; null = the prompt the pipeline encoded
 * @param infotextNegative the negative prompt as the infotext shows it; null = the one the pipeline encoded
 * @param vae              an autoencoder the operator registered ({@code vega serve --vae NAME=...}) to decode with
 *                         instead of the model's own; null = the model's
 */
record JobOptions(List<LoraUse> loras, boolean promptWeighting, String infotextPrompt, String infotextNegative,
        String vae) {
    static final JobOptions NONE = new JobOptions(List.of(), false, null, null);

    JobOptions {
        loras = List.copyOf(loras);
    }

    JobOptions(List<LoraUse> loras, boolean promptWeighting, String infotextPrompt, String infotextNegative) {
        this(loras, promptWeighting, infotextPrompt, infotextNegative, null);
    }

    boolean plain() {
        return loras.isEmpty() && !promptWeighting && infotextPrompt == null && infotextNegative == null
                && vae == null;
    }
}

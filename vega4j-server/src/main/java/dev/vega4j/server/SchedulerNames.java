package dev.vega4j.server;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.schedulers.SchedulerRegistry;
import java.util.List;

/**
 * Scheduler names for the APIs. Requests are validated against {@link SchedulerRegistry} (Segmind, AUTOMATIC1111,
 * ComfyUI and diffusers class names, case-insensitive) before they take a queue slot, and passed on in the registry's
 * canonical spelling. {@code /sdapi/v1/samplers} lists Segmind's names, the set Segmind's API documents.
 */
final class SchedulerNames {
    static final List<String> SEGMIND = List.of("DDIM", "DPM Multi", "DPM Single", "DPM2 a Karras", "DPM2 Karras",
            "DPM++ 2M Karras", "DPM++ 2M", "DPM++ SDE", "Euler", "Euler a", "Heun", "LMS", "LMS Karras", "PNDM",
            "UniPC", "DDPM", "LCM");

    private SchedulerNames() {}

    static List<String> names() {
        return SEGMIND;
    }

    /** The canonical name, or a 400 naming the field and the valid names. */
    static String check(String field, String name) {
        try {
            return SchedulerRegistry.resolve(name).name();
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest(field + ": " + e.getMessage());
        }
    }
}

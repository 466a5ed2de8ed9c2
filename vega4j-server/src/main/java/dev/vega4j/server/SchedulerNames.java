package dev.vega4j.server;

import java.util.List;

/**
 * Scheduler names the APIs advertise. Segmind's names are listed for {@code /sdapi/v1/samplers}; requests pass any
 * name through to the pipeline, which knows the full set (Segmind, AUTOMATIC1111 and diffusers class names) and
 * rejects unknown ones with a message that becomes a 400.
 */
final class SchedulerNames {
    static final List<String> SEGMIND = List.of("DDIM", "DPM Multi", "DPM Single", "DPM2 a Karras", "DPM2 Karras",
            "DPM++ 2M Karras", "DPM++ 2M", "DPM++ SDE", "Euler", "Euler a", "Heun", "LMS", "LMS Karras", "PNDM",
            "UniPC", "DDPM", "LCM");

    private SchedulerNames() {}

    static List<String> names() {
        return SEGMIND;
    }

    /** Light syntactic check; the pipeline validates the name itself. */
    static String check(String name) {
        String s = name.strip();
        if (s.isEmpty() || s.length() > 64) {
            throw ApiException.badRequest("scheduler must be a scheduler name such as 'Euler a' or 'DPM++ 2M Karras'"
                    + ", got '" + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + "'");
        }
        return s;
    }
}

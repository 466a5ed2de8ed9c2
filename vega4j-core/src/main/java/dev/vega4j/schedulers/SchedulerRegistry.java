package dev.vega4j.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.InvalidRequestException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps the sampler names people type to configured schedulers, case-insensitively: Segmind's API names ("DPM++ 2M
 * Karras", "DPM Multi", "Euler a", ...), AUTOMATIC1111's sampler names (the diffusers documentation's A1111 table),
 * a few ComfyUI sampler ids, and the diffusers class names ({@code EulerDiscreteScheduler}, ...). A name selects a
 * class plus config overrides; {@link #create} applies them on top of the pipeline's {@code scheduler_config.json}
 * exactly like {@code Class.from_config(config, **overrides)}.
 *
 * <p>"DPM++ SDE" is served by DPM-Solver++ multistep with {@code algorithm_type="sde-dpmsolver++"} (diffusers'
 * DPMSolverSDEScheduler needs torchsde's Brownian tree and is not ported).
 */
public final class SchedulerRegistry {
    /** What a name selects: a scheduler class and the config keys it overrides. */
    public record Choice(String name, SchedulerType type, Map<String, Object> overrides) {
        public Choice {
            overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Choice> BY_KEY = new LinkedHashMap<>();
    private static final List<String> NAMES = new ArrayList<>();

    static {
        Map<String, Object> none = Map.of();
        Map<String, Object> karras = Map.of("use_karras_sigmas", true);
        Map<String, Object> sde = Map.of(AlgorithmType.KEY, AlgorithmType.SDE_DPMSOLVER_PLUS_PLUS);
        Map<String, Object> sdeKarras = Map.of(AlgorithmType.KEY, AlgorithmType.SDE_DPMSOLVER_PLUS_PLUS,
                "use_karras_sigmas", true);

        // Segmind API names
        add("DDIM", SchedulerType.DDIM, none);
        add("DPM Multi", SchedulerType.DPM_MULTISTEP, none);
        add("DPM Single", SchedulerType.DPM_SINGLESTEP, none);
        add("DPM2 a Karras", SchedulerType.KDPM2_ANCESTRAL, karras);
        add("DPM2 Karras", SchedulerType.KDPM2, karras);
        add("DPM++ 2M Karras", SchedulerType.DPM_MULTISTEP, karras);
        add("DPM++ 2M", SchedulerType.DPM_MULTISTEP, none);
        add("DPM++ SDE", SchedulerType.DPM_MULTISTEP, sde);
        add("Euler", SchedulerType.EULER, none);
        add("Euler a", SchedulerType.EULER_ANCESTRAL, none);
        add("Heun", SchedulerType.HEUN, none);
        add("LMS", SchedulerType.LMS, none);
        add("LMS Karras", SchedulerType.LMS, karras);
        add("PNDM", SchedulerType.PNDM, Map.of("skip_prk_steps", true));
        add("UniPC", SchedulerType.UNIPC, none);
        add("DDPM", SchedulerType.DDPM, none);
        add("LCM", SchedulerType.LCM, none);

        // AUTOMATIC1111 sampler names (diffusers docs, "A1111/k-diffusion" mapping) not listed above
        add("DPM++ 2M SDE", SchedulerType.DPM_MULTISTEP, sde);
        add("DPM++ 2M SDE Karras", SchedulerType.DPM_MULTISTEP, sdeKarras);
        add("DPM++ SDE Karras", SchedulerType.DPM_MULTISTEP, sdeKarras);
        add("DPM2", SchedulerType.KDPM2, none);
        add("DPM2 a", SchedulerType.KDPM2_ANCESTRAL, none);
        add("Euler Karras", SchedulerType.EULER, karras);
        add("Heun Karras", SchedulerType.HEUN, karras);
        add("PLMS", SchedulerType.PNDM, Map.of("skip_prk_steps", true));
        add("UniPC Karras", SchedulerType.UNIPC, karras);

        // ComfyUI / k-diffusion sampler ids
        add("euler_ancestral", SchedulerType.EULER_ANCESTRAL, none);
        add("dpm_2", SchedulerType.KDPM2, none);
        add("dpm_2_ancestral", SchedulerType.KDPM2_ANCESTRAL, none);
        add("dpmpp_2m", SchedulerType.DPM_MULTISTEP, none);
        add("dpmpp_2m_sde", SchedulerType.DPM_MULTISTEP, sde);
        add("uni_pc", SchedulerType.UNIPC, none);
        add("k_euler", SchedulerType.EULER, none);
        add("k_euler_a", SchedulerType.EULER_ANCESTRAL, none);
        add("k_lms", SchedulerType.LMS, none);
        add("k_heun", SchedulerType.HEUN, none);
        add("k_dpm_2", SchedulerType.KDPM2, none);
        add("k_dpm_2_a", SchedulerType.KDPM2_ANCESTRAL, none);

        // diffusers class names: the class with the pipeline's config as is
        for (SchedulerType t : SchedulerType.values()) {
            add(t.className(), t, none);
        }
    }

    private SchedulerRegistry() {}

    private static void add(String name, SchedulerType type, Map<String, Object> overrides) {
        String key = key(name);
        if (BY_KEY.containsKey(key)) {
            throw new IllegalStateException("duplicate scheduler name " + name);
        }
        BY_KEY.put(key, new Choice(name, type, overrides));
        NAMES.add(name);
    }

    /** Case and whitespace are ignored: "euler  A" is "Euler a". */
    private static String key(String name) {
        return name.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** Every accepted name, in its canonical spelling. */
    public static List<String> names() {
        return List.copyOf(NAMES);
    }

    /** The class and overrides a name selects; unknown names fail with the list of valid ones. */
    public static Choice resolve(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidRequestException("no scheduler name given; valid names: " + String.join(", ", NAMES));
        }
        Choice c = BY_KEY.get(key(name));
        if (c == null) {
            throw new InvalidRequestException("unknown scheduler '" + name.strip() + "'; valid names: "
                    + String.join(", ", NAMES));
        }
        return c;
    }

    /** Whether a name is known. */
    public static boolean contains(String name) {
        return name != null && BY_KEY.containsKey(key(name));
    }

    /** The configuration a name gives on top of a pipeline's {@code scheduler_config.json} (null: class defaults). */
    public static SchedulerConfig config(String name, JsonNode baseConfig) {
        Choice c = resolve(name);
        ObjectNode overrides = JSON.valueToTree(c.overrides());
        return SchedulerConfig.fromJson(c.type(), baseConfig, overrides);
    }

    /** A configured scheduler for a name, from a pipeline's {@code scheduler_config.json} (may be null). */
    public static Scheduler create(String name, JsonNode baseConfig) {
        SchedulerConfig config = config(name, baseConfig);
        return config.type().create(config);
    }
}

package dev.vega4j.schedulers;

import java.util.Locale;

/**
 * The scheduler classes vega4j implements, named like their diffusers classes. Each knows its diffusers 0.26.3
 * constructor defaults (what {@code from_config} uses for keys the JSON does not carry).
 */
public enum SchedulerType {
    DDIM("DDIMScheduler"),
    DDPM("DDPMScheduler"),
    PNDM("PNDMScheduler"),
    LMS("LMSDiscreteScheduler"),
    EULER("EulerDiscreteScheduler"),
    EULER_ANCESTRAL("EulerAncestralDiscreteScheduler"),
    HEUN("HeunDiscreteScheduler"),
    DPM_MULTISTEP("DPMSolverMultistepScheduler"),
    DPM_SINGLESTEP("DPMSolverSinglestepScheduler"),
    KDPM2("KDPM2DiscreteScheduler"),
    KDPM2_ANCESTRAL("KDPM2AncestralDiscreteScheduler"),
    UNIPC("UniPCMultistepScheduler"),
    LCM("LCMScheduler");

    private final String className;

    SchedulerType(String className) {
        this.className = className;
    }

    /** The diffusers class name, e.g. {@code EulerDiscreteScheduler}. */
    public String className() {
        return className;
    }

    /** The type for a diffusers class name (case-insensitive), or null. */
    public static SchedulerType forClassName(String name) {
        for (SchedulerType t : values()) {
            if (t.className.equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }

    /** Builds the scheduler for a configuration. */
    public Scheduler create(SchedulerConfig config) {
        return switch (this) {
            case DDIM -> new DDIMScheduler(config);
            case DDPM -> new DDPMScheduler(config);
            case PNDM -> new PNDMScheduler(config);
            case LMS -> new LMSDiscreteScheduler(config);
            case EULER -> new EulerDiscreteScheduler(config);
            case EULER_ANCESTRAL -> new EulerAncestralDiscreteScheduler(config);
            case HEUN -> new HeunDiscreteScheduler(config);
            case DPM_MULTISTEP -> new DPMSolverMultistepScheduler(config);
            case DPM_SINGLESTEP -> new DPMSolverSinglestepScheduler(config);
            case KDPM2 -> new KDPM2DiscreteScheduler(config);
            case KDPM2_ANCESTRAL -> new KDPM2AncestralDiscreteScheduler(config);
            case UNIPC -> new UniPCMultistepScheduler(config);
            case LCM -> new LCMScheduler(config);
        };
    }

    @Override
    public String toString() {
        return className.toLowerCase(Locale.ROOT);
    }
}

package dev.vega4j.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.VegaException;
import dev.vega4j.config.JsonErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scheduler's resolved configuration, built the way diffusers' {@code Class.from_config(config, **overrides)} builds
 * one: the class's constructor defaults, then every key of {@code scheduler_config.json} that the class's constructor
 * accepts (other keys are ignored, as diffusers ignores them), then the overrides. Keys a class does not accept keep a
 * neutral value here and are never read by that class.
 *
 * <p>Options diffusers spells as strings are enums here ({@link PredictionType}, {@link TimestepSpacing}, ...): the
 * JSON takes exactly diffusers' spellings and {@link #toJson} writes them back; any other value of a key the class
 * accepts fails when the config is read, with an error that lists the valid spellings. Which of the valid values a
 * class supports (DPM-Solver singlestep has no SDE variants, DDPM no learned variance) its constructor checks.
 *
 * <p>Defaults: diffusers 0.26.3 {@code schedulers/scheduling_*.py} {@code __init__} signatures.
 *
 * @param varianceType null where the config says null (DDPM then uses fixed_small)
 */
public record SchedulerConfig(
        SchedulerType type,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        double[] trainedBetas,
        PredictionType predictionType,
        TimestepSpacing timestepSpacing,
        int stepsOffset,
        boolean clipSample,
        double clipSampleRange,
        boolean setAlphaToOne,
        boolean thresholding,
        double dynamicThresholdingRatio,
        double sampleMaxValue,
        boolean rescaleBetasZeroSnr,
        boolean useKarrasSigmas,
        Double sigmaMin,
        Double sigmaMax,
        InterpolationType interpolationType,
        TimestepType timestepType,
        boolean skipPrkSteps,
        VarianceType varianceType,
        int solverOrder,
        AlgorithmType algorithmType,
        SolverType solverType,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        boolean useLuLambdas,
        FinalSigmasType finalSigmasType,
        double lambdaMinClipped,
        boolean predictX0,
        int[] disableCorrector,
        int originalInferenceSteps,
        double timestepScaling) {

    // diffusers saves lambda_min_clipped as the non-standard literal -Infinity
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** diffusers' constructor defaults per class (also the list of keys each class accepts). */
    private static final Map<SchedulerType, Map<String, Object>> DEFAULTS = new LinkedHashMap<>();

    static {
        Map<String, Object> common = new LinkedHashMap<>();
        common.put("num_train_timesteps", 1000);
        common.put("beta_start", 0.0001);
        common.put("beta_end", 0.02);
        common.put("beta_schedule", "linear");
        common.put("trained_betas", null);
        common.put("prediction_type", "epsilon");

        Map<String, Object> thresh = Map.of("thresholding", false, "dynamic_thresholding_ratio", 0.995,
                "sample_max_value", 1.0);

        def(SchedulerType.DDIM, common, thresh, "clip_sample", true, "set_alpha_to_one", true, "steps_offset", 0,
                "clip_sample_range", 1.0, "timestep_spacing", "leading", "rescale_betas_zero_snr", false);
        def(SchedulerType.DDPM, common, thresh, "variance_type", "fixed_small", "clip_sample", true,
                "clip_sample_range", 1.0, "timestep_spacing", "leading", "steps_offset", 0,
                "rescale_betas_zero_snr", false);
        def(SchedulerType.PNDM, common, Map.of(), "skip_prk_steps", false, "set_alpha_to_one", false,
                "timestep_spacing", "leading", "steps_offset", 0);
        def(SchedulerType.LMS, common, Map.of(), "use_karras_sigmas", false, "timestep_spacing", "linspace",
                "steps_offset", 0);
        def(SchedulerType.EULER, common, Map.of(), "interpolation_type", "linear", "use_karras_sigmas", false,
                "sigma_min", null, "sigma_max", null, "timestep_spacing", "linspace", "timestep_type", "discrete",
                "steps_offset", 0, "rescale_betas_zero_snr", false);
        def(SchedulerType.EULER_ANCESTRAL, common, Map.of(), "timestep_spacing", "linspace", "steps_offset", 0,
                "rescale_betas_zero_snr", false);
        Map<String, Object> kdiff = new LinkedHashMap<>(common);
        kdiff.put("beta_start", 0.00085);
        kdiff.put("beta_end", 0.012);
        def(SchedulerType.HEUN, kdiff, Map.of(), "use_karras_sigmas", false, "clip_sample", false,
                "clip_sample_range", 1.0, "timestep_spacing", "linspace", "steps_offset", 0);
        def(SchedulerType.KDPM2, kdiff, Map.of(), "use_karras_sigmas", false, "timestep_spacing", "linspace",
                "steps_offset", 0);
        def(SchedulerType.KDPM2_ANCESTRAL, kdiff, Map.of(), "use_karras_sigmas", false,
                "timestep_spacing", "linspace", "steps_offset", 0);
        def(SchedulerType.DPM_MULTISTEP, common, thresh, "solver_order", 2, "algorithm_type", "dpmsolver++",
                "solver_type", "midpoint", "lower_order_final", true, "euler_at_final", false,
                "use_karras_sigmas", false, "use_lu_lambdas", false, "final_sigmas_type", "zero",
                "lambda_min_clipped", Double.NEGATIVE_INFINITY, "variance_type", null,
                "timestep_spacing", "linspace", "steps_offset", 0);
        def(SchedulerType.DPM_SINGLESTEP, common, thresh, "solver_order", 2, "algorithm_type", "dpmsolver++",
                "solver_type", "midpoint", "lower_order_final", true, "use_karras_sigmas", false,
                "final_sigmas_type", "zero", "lambda_min_clipped", Double.NEGATIVE_INFINITY, "variance_type", null);
        def(SchedulerType.UNIPC, common, thresh, "solver_order", 2, "predict_x0", true, "solver_type", "bh2",
                "lower_order_final", true, "disable_corrector", List.of(), "solver_p", null,
                "use_karras_sigmas", false, "timestep_spacing", "linspace", "steps_offset", 0);
        Map<String, Object> lcm = new LinkedHashMap<>(kdiff);
        lcm.put("beta_schedule", "scaled_linear");
        def(SchedulerType.LCM, lcm, thresh, "original_inference_steps", 50, "clip_sample", false,
                "clip_sample_range", 1.0, "set_alpha_to_one", true, "steps_offset", 0,
                "timestep_spacing", "leading", "timestep_scaling", 10.0, "rescale_betas_zero_snr", false);
    }

    private static void def(SchedulerType t, Map<String, Object> base, Map<String, Object> extra, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.putAll(extra);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        DEFAULTS.put(t, m);
    }

    /** The configuration keys the class's constructor accepts. */
    public static List<String> acceptedKeys(SchedulerType type) {
        return List.copyOf(DEFAULTS.get(type).keySet());
    }

    /** {@code Class()} with no arguments. */
    public static SchedulerConfig defaults(SchedulerType type) {
        return fromJson(type, null, null);
    }

    /**
     * {@code Class.from_config(base, **overrides)}: base is a parsed {@code scheduler_config.json} (may be null),
     * overrides another JSON object (may be null).
     */
    public static SchedulerConfig fromJson(SchedulerType type, JsonNode base, JsonNode overrides) {
        Map<String, Object> defaults = DEFAULTS.get(type);
        ObjectNode merged = JSON.valueToTree(defaults);
        for (JsonNode src : new JsonNode[] {base, overrides}) {
            if (src == null || src.isNull()) {
                continue;
            }
            if (!src.isObject()) {
                throw new VegaException("scheduler config must be a JSON object, got " + src.getNodeType());
            }
            src.properties().forEach(e -> {
                if (defaults.containsKey(e.getKey())) {
                    merged.set(e.getKey(), e.getValue());
                }
            });
        }
        return read(type, merged);
    }

    /** Reads a config file's text. */
    public static SchedulerConfig fromJson(SchedulerType type, String json) {
        try {
            return fromJson(type, JSON.readTree(json), null);
        } catch (java.io.IOException e) {
            throw new VegaException("scheduler config is not valid JSON: " + JsonErrors.describe(e), e);
        }
    }

    private static SchedulerConfig read(SchedulerType type, ObjectNode n) {
        try {
            return new SchedulerConfig(type,
                    n.path("num_train_timesteps").asInt(1000),
                    dbl(n, "beta_start", 0.0001),
                    dbl(n, "beta_end", 0.02),
                    BetaSchedule.parse(str(n, "beta_schedule", "linear")),
                    doubles(n.get("trained_betas")),
                    PredictionType.parse(str(n, "prediction_type", "epsilon")),
                    TimestepSpacing.parse(str(n, "timestep_spacing", "leading")),
                    n.path("steps_offset").asInt(0),
                    n.path("clip_sample").asBoolean(false),
                    dbl(n, "clip_sample_range", 1.0),
                    n.path("set_alpha_to_one").asBoolean(false),
                    n.path("thresholding").asBoolean(false),
                    dbl(n, "dynamic_thresholding_ratio", 0.995),
                    dbl(n, "sample_max_value", 1.0),
                    n.path("rescale_betas_zero_snr").asBoolean(false),
                    n.path("use_karras_sigmas").asBoolean(false),
                    optDbl(n, "sigma_min"),
                    optDbl(n, "sigma_max"),
                    InterpolationType.parse(str(n, "interpolation_type", "linear")),
                    TimestepType.parse(str(n, "timestep_type", "discrete")),
                    n.path("skip_prk_steps").asBoolean(false),
                    nullable(str(n, "variance_type", null), VarianceType::parse),
                    n.path("solver_order").asInt(2),
                    AlgorithmType.parse(str(n, "algorithm_type", "dpmsolver++")),
                    SolverType.parse(str(n, "solver_type", "midpoint")),
                    n.path("lower_order_final").asBoolean(true),
                    n.path("euler_at_final").asBoolean(false),
                    n.path("use_lu_lambdas").asBoolean(false),
                    FinalSigmasType.parse(str(n, "final_sigmas_type", "zero")),
                    dbl(n, "lambda_min_clipped", Double.NEGATIVE_INFINITY),
                    n.path("predict_x0").asBoolean(true),
                    ints(n.get("disable_corrector")),
                    n.path("original_inference_steps").asInt(50),
                    dbl(n, "timestep_scaling", 10.0));
        } catch (RuntimeException e) {
            throw new VegaException("invalid " + type.className() + " config: " + e.getMessage(), e);
        }
    }

    /** A copy with some keys replaced (same rules as {@link #fromJson}: keys the class does not take are ignored). */
    public SchedulerConfig with(Map<String, ?> overrides) {
        return fromJson(type, toJson(), JSON.valueToTree(overrides));
    }

    /** This configuration as diffusers would save it (only the keys the class accepts). */
    public ObjectNode toJson() {
        ObjectNode all = JSON.createObjectNode();
        all.put("num_train_timesteps", numTrainTimesteps);
        all.put("beta_start", betaStart);
        all.put("beta_end", betaEnd);
        all.put("beta_schedule", betaSchedule.value());
        if (trainedBetas == null) {
            all.putNull("trained_betas");
        } else {
            var arr = all.putArray("trained_betas");
            for (double b : trainedBetas) {
                arr.add(b);
            }
        }
        all.put("prediction_type", predictionType.value());
        all.put("timestep_spacing", timestepSpacing.value());
        all.put("steps_offset", stepsOffset);
        all.put("clip_sample", clipSample);
        all.put("clip_sample_range", clipSampleRange);
        all.put("set_alpha_to_one", setAlphaToOne);
        all.put("thresholding", thresholding);
        all.put("dynamic_thresholding_ratio", dynamicThresholdingRatio);
        all.put("sample_max_value", sampleMaxValue);
        all.put("rescale_betas_zero_snr", rescaleBetasZeroSnr);
        all.put("use_karras_sigmas", useKarrasSigmas);
        if (sigmaMin == null) {
            all.putNull("sigma_min");
        } else {
            all.put("sigma_min", sigmaMin);
        }
        if (sigmaMax == null) {
            all.putNull("sigma_max");
        } else {
            all.put("sigma_max", sigmaMax);
        }
        all.put("interpolation_type", interpolationType.value());
        all.put("timestep_type", timestepType.value());
        all.put("skip_prk_steps", skipPrkSteps);
        all.put("variance_type", varianceType == null ? null : varianceType.value());
        all.put("solver_order", solverOrder);
        all.put("algorithm_type", algorithmType.value());
        all.put("solver_type", solverType.value());
        all.put("lower_order_final", lowerOrderFinal);
        all.put("euler_at_final", eulerAtFinal);
        all.put("use_lu_lambdas", useLuLambdas);
        all.put("final_sigmas_type", finalSigmasType.value());
        all.put("lambda_min_clipped", lambdaMinClipped);
        all.put("predict_x0", predictX0);
        var dc = all.putArray("disable_corrector");
        for (int i : disableCorrector) {
            dc.add(i);
        }
        all.putNull("solver_p");
        all.put("original_inference_steps", originalInferenceSteps);
        all.put("timestep_scaling", timestepScaling);
        ObjectNode out = JSON.createObjectNode();
        out.put("_class_name", type.className());
        for (String k : DEFAULTS.get(type).keySet()) {
            out.set(k, all.get(k));
        }
        return out;
    }

    private static double dbl(JsonNode n, String key, double dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isTextual()) { // Python's json writes -inf as -Infinity; Jackson may leave it as text
            return switch (v.asText()) {
                case "-Infinity", "-inf" -> Double.NEGATIVE_INFINITY;
                case "Infinity", "inf" -> Double.POSITIVE_INFINITY;
                default -> Double.parseDouble(v.asText());
            };
        }
        return v.asDouble();
    }

    private static Double optDbl(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : dbl(n, key, 0);
    }

    private static String str(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    private static <E> E nullable(String value, java.util.function.Function<String, E> parse) {
        return value == null ? null : parse.apply(value);
    }

    private static double[] doubles(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        double[] d = new double[v.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = v.get(i).asDouble();
        }
        return d;
    }

    private static int[] ints(JsonNode v) {
        if (v == null || v.isNull()) {
            return new int[0];
        }
        List<Integer> l = new ArrayList<>();
        v.forEach(x -> l.add(x.asInt()));
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}

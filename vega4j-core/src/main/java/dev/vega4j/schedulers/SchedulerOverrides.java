package dev.vega4j.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.InvalidRequestException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys of a model's {@code scheduler_config.json} that one run replaces, whichever scheduler it uses: diffusers'
 * {@code Class.from_config(pipe.scheduler.config, prediction_type=..., rescale_betas_zero_snr=...)}. What v-prediction
 * and zero-terminal-SNR fine-tunes need when their config does not say so. {@code null} keeps the model's value.
 *
 * @param predictionType      {@code prediction_type}; null = the model's
 * @param rescaleBetasZeroSnr {@code rescale_betas_zero_snr}; null = the model's
 */
public record SchedulerOverrides(PredictionType predictionType, Boolean rescaleBetasZeroSnr) {
    /** Nothing replaced: the model's config as it is. */
    public static final SchedulerOverrides NONE = new SchedulerOverrides(null, null);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ZERO_SNR_KEY = "rescale_betas_zero_snr";

    public boolean isEmpty() {
        return predictionType == null && rescaleBetasZeroSnr == null;
    }

    /** The replaced keys as diffusers spells them and their values, in config order. */
    public Map<String, Object> asConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (predictionType != null) {
            m.put(PredictionType.KEY, predictionType.value());
        }
        if (rescaleBetasZeroSnr != null) {
            m.put(ZERO_SNR_KEY, rescaleBetasZeroSnr);
        }
        return m;
    }

    /** A copy of {@code base} (a {@code scheduler_config.json}; null = none) with these keys replaced. */
    public ObjectNode applyTo(JsonNode base) {
        ObjectNode out = base != null && base.isObject() ? ((ObjectNode) base).deepCopy() : JSON.createObjectNode();
        asConfig().forEach((k, v) -> out.set(k, JSON.valueToTree(v)));
        return out;
    }

    /**
     * Refuses an override the class would silently drop: diffusers' {@code from_config} ignores keys a class does not
     * take (in 0.26.3 only DDIM, DDPM, Euler, Euler a and LCM take {@code rescale_betas_zero_snr}), but a user who
     * asked for zero terminal SNR should hear that this scheduler cannot give it. Turning it off is always possible.
     */
    public void checkTakenBy(SchedulerType type) {
        if (Boolean.TRUE.equals(rescaleBetasZeroSnr) && !SchedulerConfig.acceptedKeys(type).contains(ZERO_SNR_KEY)) {
            List<String> taking = new ArrayList<>();
            for (SchedulerType t : SchedulerType.values()) {
                if (SchedulerConfig.acceptedKeys(t).contains(ZERO_SNR_KEY)) {
                    taking.add(t.className());
                }
            }
            throw new InvalidRequestException("zero terminal SNR (rescale_betas_zero_snr) is not an option of "
                    + type.className() + "; schedulers that have it: " + String.join(", ", taking));
        }
    }
}

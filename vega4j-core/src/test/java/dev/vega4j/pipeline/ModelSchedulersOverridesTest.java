package dev.vega4j.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.InvalidRequestException;
import dev.vega4j.schedulers.PredictionType;
import dev.vega4j.schedulers.SchedulerConfig;
import dev.vega4j.schedulers.SchedulerOverrides;
import dev.vega4j.schedulers.SchedulerType;
import org.junit.jupiter.api.Test;

/**
 * A model's {@code prediction_type} / {@code rescale_betas_zero_snr} and the run's overrides of them reach the
 * scheduler's config, for the model's own scheduler and for one picked by name (diffusers' {@code from_config}).
 */
class ModelSchedulersOverridesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode sdxlConfig(String predictionType, boolean zeroSnr) throws Exception {
        return JSON.readTree("""
                {"_class_name": "EulerDiscreteScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
                 "beta_start": 0.00085, "num_train_timesteps": 1000, "steps_offset": 1,
                 "timestep_spacing": "leading", "prediction_type": "%s", "rescale_betas_zero_snr": %s}
                """.formatted(predictionType, zeroSnr));
    }

    static SchedulerConfig config(SamplingScheduler s) {
        return ((ModelSchedulers.Adapter) s).scheduler().config();
    }

    @Test
    void theModelsConfigReachesItsOwnAndNamedSchedulers() throws Exception {
        ModelSchedulers m = new ModelSchedulers(sdxlConfig("v_prediction", true));
        SchedulerConfig own = config(m.create(null));
        assertThat(own.type()).isEqualTo(SchedulerType.EULER);
        assertThat(own.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
        assertThat(own.rescaleBetasZeroSnr()).isTrue();
        SchedulerConfig ddim = config(m.create("DDIM"));
        assertThat(ddim.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
        assertThat(ddim.rescaleBetasZeroSnr()).isTrue();
        // Heun has no rescale_betas_zero_snr in diffusers 0.26.3: from_config drops the model's key
        SchedulerConfig heun = config(m.create("Heun"));
        assertThat(heun.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
        assertThat(heun.rescaleBetasZeroSnr()).isFalse();
    }

    @Test
    void overridesReplaceTheModelsKeysWhicheverSchedulerRuns() throws Exception {
        ModelSchedulers m = new ModelSchedulers(sdxlConfig("epsilon", false));
        var vZsnr = new SchedulerOverrides(PredictionType.V_PREDICTION, true);
        SchedulerConfig own = config(m.create(null, vZsnr));
        assertThat(own.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
        assertThat(own.rescaleBetasZeroSnr()).isTrue();
        SchedulerConfig euler = config(m.create("Euler a", vZsnr));
        assertThat(euler.type()).isEqualTo(SchedulerType.EULER_ANCESTRAL);
        assertThat(euler.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
        assertThat(euler.rescaleBetasZeroSnr()).isTrue();
        SchedulerConfig dpm = config(m.create("DPM++ 2M Karras", new SchedulerOverrides(PredictionType.SAMPLE, null)));
        assertThat(dpm.predictionType()).isEqualTo(PredictionType.SAMPLE);
        assertThat(dpm.useKarrasSigmas()).isTrue();
        // the untouched key keeps the model's value; no overrides = the model's config as is
        SchedulerConfig onlyZsnr = config(m.create(null, new SchedulerOverrides(null, true)));
        assertThat(onlyZsnr.predictionType()).isEqualTo(PredictionType.EPSILON);
        assertThat(config(m.create(null, SchedulerOverrides.NONE)).toJson())
                .isEqualTo(config(m.create(null)).toJson());
    }

    @Test
    void zeroSnrTheSchedulerCannotGiveIsRefusedNotDropped() throws Exception {
        ModelSchedulers m = new ModelSchedulers(sdxlConfig("epsilon", false));
        assertThatThrownBy(() -> m.create("Heun", new SchedulerOverrides(null, true)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("HeunDiscreteScheduler")
                .hasMessageContaining("EulerDiscreteScheduler");
        // turning it off is always possible
        assertThat(config(m.create("Heun", new SchedulerOverrides(null, false))).rescaleBetasZeroSnr()).isFalse();
    }

    @Test
    void theZeroSnrOverrideChangesTheSchedule() throws Exception {
        ModelSchedulers m = new ModelSchedulers(sdxlConfig("epsilon", false));
        SamplingScheduler plain = m.create("Euler"), zsnr = m.create("Euler", new SchedulerOverrides(null, true));
        plain.setTimesteps(4);
        zsnr.setTimesteps(4);
        // the rescaled betas change every sigma; the first (leading) timestep stays 751
        assertThat(zsnr.timesteps()).isEqualTo(plain.timesteps());
        assertThat(zsnr.initNoiseSigma()).isNotEqualTo(plain.initNoiseSigma());
    }
}

package dev.vega4j.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerConfigTest {
    @Test
    void keysTheClassDoesNotTakeAreIgnoredLikeFromConfig() {
        // DDIM takes clip_sample, Euler does not; both ignore unknown keys
        String json = "{\"clip_sample\": false, \"beta_schedule\": \"scaled_linear\", \"foo\": 1,"
                + " \"lambda_min_clipped\": -Infinity, \"use_karras_sigmas\": true}";
        SchedulerConfig ddim = SchedulerConfig.fromJson(SchedulerType.DDIM, json);
        assertThat(ddim.clipSample()).isFalse();
        assertThat(ddim.useKarrasSigmas()).isFalse(); // DDIM has no karras option
        SchedulerConfig dpm = SchedulerConfig.fromJson(SchedulerType.DPM_MULTISTEP, json);
        assertThat(dpm.lambdaMinClipped()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(dpm.useKarrasSigmas()).isTrue();
        assertThat(SchedulerConfig.defaults(SchedulerType.DDIM).clipSample()).isTrue();
        assertThat(SchedulerConfig.defaults(SchedulerType.DDIM).setAlphaToOne()).isTrue();
    }

    @Test
    void withOverridesAndRoundTrip() {
        SchedulerConfig c = SchedulerConfig.defaults(SchedulerType.EULER).with(Map.of("use_karras_sigmas", true));
        assertThat(c.useKarrasSigmas()).isTrue();
        assertThat(c.toJson().get("_class_name").asText()).isEqualTo("EulerDiscreteScheduler");
        assertThat(SchedulerConfig.fromJson(SchedulerType.EULER, c.toJson(), null)).usingRecursiveComparison()
                .isEqualTo(c);
    }

    @Test
    void badValuesGiveReadableErrors() {
        assertThatThrownBy(() -> SchedulerType.EULER.create(SchedulerConfig.fromJson(SchedulerType.EULER,
                "{\"beta_schedule\": \"cubic\"}"))).isInstanceOf(VegaException.class).hasMessageContaining("cubic");
        Scheduler s = SchedulerType.DDIM.create(SchedulerConfig.defaults(SchedulerType.DDIM));
        assertThatThrownBy(() -> s.setTimesteps(0)).isInstanceOf(VegaException.class);
        assertThatThrownBy(() -> s.setTimesteps(1001)).isInstanceOf(VegaException.class);
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.DDIM, "{oops"))
                .isInstanceOf(VegaException.class);
    }

    @Test
    void betasOutsideTheUnitIntervalAndAbsurdTrainingLengthsAreRefused() {
        // found by fuzzing: beta_start 8 gave NaN timesteps and sigmas instead of an error
        assertThatThrownBy(() -> SchedulerType.DPM_MULTISTEP.create(SchedulerConfig.fromJson(SchedulerType.DPM_MULTISTEP,
                "{\"beta_start\": 8.00085, \"beta_schedule\": \"scaled_linear\"}")))
                .isInstanceOf(VegaException.class).hasMessageContaining("every beta must be in [0, 1)");
        assertThatThrownBy(() -> SchedulerType.EULER.create(SchedulerConfig.fromJson(SchedulerType.EULER,
                "{\"trained_betas\": [0.1, -0.2, 0.3]}")))
                .isInstanceOf(VegaException.class).hasMessageContaining("trained_betas[1] is -0.2");
        assertThatThrownBy(() -> SchedulerType.DDIM.create(SchedulerConfig.fromJson(SchedulerType.DDIM,
                "{\"num_train_timesteps\": 2000000000}")))
                .isInstanceOf(VegaException.class).hasMessageContaining("num_train_timesteps must be between 2 and");
        assertThatThrownBy(() -> SchedulerType.DPM_MULTISTEP.create(SchedulerConfig.fromJson(SchedulerType.DPM_MULTISTEP,
                "{\"thresholding\": true, \"dynamic_thresholding_ratio\": 5.9}")))
                .isInstanceOf(VegaException.class).hasMessageContaining("dynamic_thresholding_ratio must be between 0");
        assertThatThrownBy(() -> SchedulerType.EULER_ANCESTRAL.create(SchedulerConfig.fromJson(
                SchedulerType.EULER_ANCESTRAL, "{\"trained_betas\": false}")))
                .isInstanceOf(VegaException.class).hasMessageContaining("trained_betas must be a list of 2 to");
    }

    @Test
    void invalidJsonIsReportedWithLineAndColumnWithoutParserNoise() {
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.DDIM, "{\"beta_end\": 0.012,\n oops}"))
                .isInstanceOf(VegaException.class)
                .hasMessageStartingWith("scheduler config is not valid JSON: Unexpected character ('o'")
                .hasMessageContaining("(line 2, column 2)")
                .hasMessageNotContaining("Source:").hasMessageNotContaining("REDACTED")
                .hasMessageNotContaining("com.fasterxml").hasMessageNotContaining("StreamReadFeature");
    }

    @Test
    void tooManyLeadingStepsSayHowManyTheConfigAllows() {
        // Stable Diffusion 1.5's PNDM config: 1000 steps would start at timestep 1000 (diffusers: IndexError in step)
        String sd15 = "{\"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085, \"beta_end\": 0.012,"
                + " \"skip_prk_steps\": true, \"steps_offset\": 1, \"timestep_spacing\": \"leading\"}";
        Scheduler pndm = SchedulerType.PNDM.create(SchedulerConfig.fromJson(SchedulerType.PNDM, sd15));
        assertThatThrownBy(() -> pndm.setTimesteps(1000)).isInstanceOf(VegaException.class).hasMessage(
                "PNDMScheduler with timestep_spacing \"leading\", steps_offset 1 and num_train_timesteps 1000 allows"
                        + " 1 to 999 inference steps, not 1000: its last timestep would be 1000, past the last"
                        + " training timestep 999");
        pndm.setTimesteps(999);
        assertThat(pndm.timesteps()[0]).isEqualTo(999);
        // with the Runge-Kutta warm-up (at least 4 steps) and steps_offset 2 some counts in between fail too
        Scheduler prk = SchedulerType.PNDM.create(SchedulerConfig.fromJson(SchedulerType.PNDM,
                "{\"skip_prk_steps\": false, \"steps_offset\": 2}"));
        assertThatThrownBy(() -> prk.setTimesteps(999)).hasMessageContaining("allows 4 to 998 inference steps"
                + " except 500, not 999");
        assertThatThrownBy(() -> prk.setTimesteps(2)).hasMessageContaining("at least 4");
        // DDIM and DDPM index alphas_cumprod the same way
        Scheduler ddim = SchedulerType.DDIM.create(SchedulerConfig.fromJson(SchedulerType.DDIM,
                "{\"steps_offset\": 1}"));
        assertThatThrownBy(() -> ddim.setTimesteps(1000)).hasMessageStartingWith("DDIMScheduler with")
                .hasMessageContaining("1 to 999");
        // linspace and trailing grids stay inside [0, N) for every count
        SchedulerType.PNDM.create(SchedulerConfig.fromJson(SchedulerType.PNDM,
                "{\"steps_offset\": 1, \"timestep_spacing\": \"trailing\"}")).setTimesteps(1000);
    }

    @Test
    void img2imgKeepsTheTailOfTheScheduleTheDiffusersWay() {
        Scheduler s = SchedulerType.HEUN.create(SchedulerConfig.defaults(SchedulerType.HEUN));
        s.setTimesteps(8);
        double[] all = s.timesteps();
        double[] used = s.img2imgTimesteps(8, 0.3); // int(2.4) = 2 steps kept -> t_start = 6, order 2
        assertThat(used).containsExactly(java.util.Arrays.copyOfRange(all, 12, all.length));
        assertThatThrownBy(() -> s.img2imgTimesteps(8, 1.5)).isInstanceOf(VegaException.class);
    }

    @Test
    void pndmWithRungeKuttaWarmUp() {
        // skip_prk_steps=false (the class default): 12 PRK calls on the last 4 grid points, then PLMS
        Scheduler s = SchedulerType.PNDM.create(SchedulerConfig.fromJson(SchedulerType.PNDM,
                "{\"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085, \"beta_end\": 0.012,"
                        + " \"steps_offset\": 1}"));
        s.setTimesteps(10);
        double[] ts = s.timesteps();
        assertThat(ts).hasSize(12 + 10 - 3);
        assertThat(java.util.Arrays.copyOf(ts, 4)).containsExactly(901, 851, 851, 801);
        dev.vega4j.tensor.Tensor x = new dev.vega4j.rng.TorchGenerator(0).randn(1, 4, 4, 4);
        for (double t : ts) {
            dev.vega4j.tensor.Tensor eps = F32.map(x, v -> 0.1f * v);
            x = s.step(eps, t, x, null).prevSample();
        }
        for (float v : x.data()) {
            assertThat(Float.isFinite(v)).isTrue();
        }
        assertThatThrownBy(() -> s.setTimesteps(3)).isInstanceOf(VegaException.class);
    }

    @Test
    void lmsCoefficientsMatchScipyQuad() {
        // scipy 1.17: quad(lambda x: (x - 3) / (1 - 3), 1, 0.5, epsrel=1e-4)[0] == -0.5625,
        // quad(math.exp, 0, 1, epsrel=1e-10)[0] == 1.7182818284590453
        double v = GaussKronrod.integrate(x -> (x - 3) / (1 - 3), 1, 0.5, 1.49e-8, 1e-4);
        assertThat(v).isCloseTo(-0.5625, org.assertj.core.data.Offset.offset(1e-15));
        double w = GaussKronrod.integrate(Math::exp, 0, 1, 1.49e-8, 1e-10);
        assertThat(w).isCloseTo(1.7182818284590453, org.assertj.core.data.Offset.offset(4e-16));
    }
}

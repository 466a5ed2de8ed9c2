package dev.vega4j.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Behaviour of diffusers 0.26.3 that later versions changed and that the golden cases only reach at some step counts:
 * vega4j follows 0.26.3.
 */
class Diffusers0263EdgeCasesTest {
    private static SchedulerConfig sdxl(SchedulerType type, Map<String, ?> overrides) {
        return SchedulerConfig.fromJson(type, """
                {"beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                 "num_train_timesteps": 1000, "steps_offset": 1, "timestep_spacing": "leading"}
                """).with(overrides);
    }

    @Test
    void singlestepOrderListsAreThoseOf0263() {
        var s = new DPMSolverSinglestepScheduler(sdxl(SchedulerType.DPM_SINGLESTEP, Map.of("solver_order", 3)));
        assertThat(s.orderList(3)).containsExactly(1, 2, 1);
        assertThat(s.orderList(4)).containsExactly(1, 2, 3, 1);
        // n % 3 == 2 ends second order even with final_sigmas_type zero (diffusers >= 0.27 forces a last 1)
        assertThat(s.orderList(5)).containsExactly(1, 2, 3, 1, 2);
        var two = new DPMSolverSinglestepScheduler(sdxl(SchedulerType.DPM_SINGLESTEP, Map.of()));
        assertThat(two.orderList(4)).containsExactly(1, 2, 1, 1);
        assertThat(two.orderList(5)).containsExactly(1, 2, 1, 2, 1);
    }

    @Test
    void zeroSnrEulerHasAFiniteFirstSigmaBeforeAndAfterSetTimesteps() {
        for (SchedulerType type : new SchedulerType[] {SchedulerType.EULER, SchedulerType.EULER_ANCESTRAL}) {
            Scheduler s = type.create(sdxl(type, Map.of("rescale_betas_zero_snr", true,
                    "timestep_spacing", "trailing")));
            // alphas_cumprod[-1] = 2**-24 before the sigmas: sqrt((1 - 2^-24) / 2^-24) = 4095.9999...
            float expected = (float) Math.sqrt((1f - (float) Math.pow(2, -24)) / (float) Math.pow(2, -24));
            assertThat(s.initNoiseSigma()).isEqualTo(expected);
            s.setTimesteps(3);
            assertThat(s.timesteps()[0]).isEqualTo(999.0);
            assertThat(s.initNoiseSigma()).isEqualTo(expected);
        }
        // with Karras sigmas the largest sigma maps back to timestep 999 through log-sigmas that saw the fix
        Scheduler k = SchedulerType.EULER.create(sdxl(SchedulerType.EULER, Map.of("rescale_betas_zero_snr", true,
                "use_karras_sigmas", true, "timestep_spacing", "trailing")));
        k.setTimesteps(4);
        assertThat(k.timesteps()[0]).isEqualTo(999.0);
    }
}

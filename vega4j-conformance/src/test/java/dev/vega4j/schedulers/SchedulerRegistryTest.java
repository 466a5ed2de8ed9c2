package dev.vega4j.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.conformance.Golden;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SchedulerRegistryTest {
    static final List<String> SEGMIND = List.of("DDIM", "DPM Multi", "DPM Single", "DPM2 a Karras", "DPM2 Karras",
            "DPM++ 2M Karras", "DPM++ 2M", "DPM++ SDE", "Euler", "Euler a", "Heun", "LMS", "LMS Karras", "PNDM",
            "UniPC", "DDPM", "LCM");

    static JsonNode sdxlConfig() throws Exception {
        return new ObjectMapper().readTree(
                Files.readString(Golden.root().resolve("tiny-vega/scheduler/scheduler_config.json")));
    }

    static List<String> allNames() {
        return SchedulerRegistry.names();
    }

    @ParameterizedTest
    @MethodSource("allNames")
    void everyNameGivesAWorkingScheduler(String name) throws Exception {
        Scheduler s = SchedulerRegistry.create(name, sdxlConfig());
        s.setTimesteps(4);
        assertThat(s.timesteps()).isNotEmpty();
        Tensor x = new TorchGenerator(1).randn(1, 4, 4, 4);
        float sigma = s.initNoiseSigma();
        x = F32.map(x, v -> v * sigma);
        double[] ts = s.timesteps();
        for (int i = 0; i < ts.length; i++) {
            Tensor xin = s.scaleModelInput(x, ts[i]);
            Tensor eps = F32.map(xin, v -> 0.5f * v);
            x = s.step(eps, ts[i], x, new TorchGenerator(10 + i)).prevSample();
        }
        for (float v : x.data()) {
            assertThat(Float.isFinite(v)).as("%s gives finite samples", name).isTrue();
        }
    }

    @Test
    void segmindNamesAreAllKnown() {
        for (String n : SEGMIND) {
            assertThat(SchedulerRegistry.contains(n)).as(n).isTrue();
        }
    }

    @Test
    void namesSelectTheRightClassAndOptions() throws Exception {
        JsonNode base = sdxlConfig();
        SchedulerConfig c = SchedulerRegistry.config("DPM++ 2M Karras", base);
        assertThat(c.type()).isEqualTo(SchedulerType.DPM_MULTISTEP);
        assertThat(c.useKarrasSigmas()).isTrue();
        assertThat(c.algorithmType()).isEqualTo(AlgorithmType.DPMSOLVER_PLUS_PLUS);
        assertThat(c.timestepSpacing()).isEqualTo(TimestepSpacing.LEADING); // from the pipeline's config
        assertThat(c.stepsOffset()).isEqualTo(1);
        assertThat(SchedulerRegistry.config("DPM++ 2M SDE Karras", base).algorithmType())
                .isEqualTo(AlgorithmType.SDE_DPMSOLVER_PLUS_PLUS);
        assertThat(SchedulerRegistry.config("DPM++ SDE", base).algorithmType())
                .isEqualTo(AlgorithmType.SDE_DPMSOLVER_PLUS_PLUS);
        assertThat(SchedulerRegistry.config("DPM2 a Karras", base).type()).isEqualTo(SchedulerType.KDPM2_ANCESTRAL);
        assertThat(SchedulerRegistry.config("DPM2 a Karras", base).useKarrasSigmas()).isTrue();
        assertThat(SchedulerRegistry.config("DPM2 Karras", base).type()).isEqualTo(SchedulerType.KDPM2);
        assertThat(SchedulerRegistry.config("Euler a", base).type()).isEqualTo(SchedulerType.EULER_ANCESTRAL);
        assertThat(SchedulerRegistry.config("LMS Karras", base).useKarrasSigmas()).isTrue();
        assertThat(SchedulerRegistry.config("LMS", base).useKarrasSigmas()).isFalse();
        assertThat(SchedulerRegistry.config("DPM Single", base).type()).isEqualTo(SchedulerType.DPM_SINGLESTEP);
        assertThat(SchedulerRegistry.config("DPM Multi", base).type()).isEqualTo(SchedulerType.DPM_MULTISTEP);
        assertThat(SchedulerRegistry.config("PLMS", base).type()).isEqualTo(SchedulerType.PNDM);
        assertThat(SchedulerRegistry.config("UniPCMultistepScheduler", base).type()).isEqualTo(SchedulerType.UNIPC);
        assertThat(SchedulerRegistry.config("LCM", base).type()).isEqualTo(SchedulerType.LCM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"euler a", "EULER A", "  Euler   a ", "dpm++ 2m karras", "eulerdiscretescheduler"})
    void namesAreCaseAndSpaceInsensitive(String name) {
        assertThat(SchedulerRegistry.contains(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Euler b", "DPM++ 4M", "", "DPM adaptive"})
    void unknownNamesListTheValidOnes(String name) {
        assertThatThrownBy(() -> SchedulerRegistry.create(name, null))
                .isInstanceOf(VegaException.class)
                .hasMessageContaining("DPM++ 2M Karras")
                .hasMessageContaining("Euler a");
    }

    @Test
    void withoutABaseConfigTheClassDefaultsApply() {
        SchedulerConfig c = SchedulerRegistry.config("Euler", null);
        assertThat(c.betaSchedule()).isEqualTo(BetaSchedule.LINEAR);
        assertThat(c.timestepSpacing()).isEqualTo(TimestepSpacing.LINSPACE);
        assertThat(SchedulerRegistry.config("LCM", null).betaSchedule()).isEqualTo(BetaSchedule.SCALED_LINEAR);
    }
}

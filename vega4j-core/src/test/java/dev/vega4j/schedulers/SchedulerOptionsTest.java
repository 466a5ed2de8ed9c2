package dev.vega4j.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.VegaException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The string options of {@code scheduler_config.json} as enums: diffusers' spellings in and out, nothing else. */
class SchedulerOptionsTest {
    /** One option: its enum, diffusers 0.26.3's spellings, a class that takes the key, and the config accessor. */
    private record Option(Class<? extends Enum<?>> type, List<String> diffusers, SchedulerType takenBy,
            Function<SchedulerConfig, Object> read) {
        String key() {
            try {
                return (String) type.getField("KEY").get(null);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }

        Object parse(String value) {
            try {
                return type.getMethod("parse", String.class).invoke(null, value);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw (RuntimeException) e.getCause();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public String toString() {
            return type.getSimpleName();
        }
    }

    // the values diffusers 0.26.3's schedulers test for (scheduling_*.py), in the order the error messages list them
    private static final List<Option> OPTIONS = List.of(
            new Option(PredictionType.class, List.of("epsilon", "v_prediction", "sample"), SchedulerType.EULER,
                    SchedulerConfig::predictionType),
            new Option(BetaSchedule.class, List.of("linear", "scaled_linear", "squaredcos_cap_v2"),
                    SchedulerType.EULER, SchedulerConfig::betaSchedule),
            new Option(TimestepSpacing.class, List.of("leading", "trailing", "linspace"), SchedulerType.EULER,
                    SchedulerConfig::timestepSpacing),
            new Option(InterpolationType.class, List.of("linear", "log_linear"), SchedulerType.EULER,
                    SchedulerConfig::interpolationType),
            new Option(TimestepType.class, List.of("discrete", "continuous"), SchedulerType.EULER,
                    SchedulerConfig::timestepType),
            new Option(VarianceType.class, List.of("fixed_small", "fixed_small_log", "fixed_large", "fixed_large_log",
                    "learned", "learned_range"), SchedulerType.DDPM, SchedulerConfig::varianceType),
            new Option(AlgorithmType.class, List.of("dpmsolver", "dpmsolver++", "sde-dpmsolver", "sde-dpmsolver++",
                    "deis"), SchedulerType.DPM_MULTISTEP, SchedulerConfig::algorithmType),
            new Option(SolverType.class, List.of("midpoint", "heun", "logrho", "bh1", "bh2"),
                    SchedulerType.DPM_MULTISTEP, SchedulerConfig::solverType),
            new Option(FinalSigmasType.class, List.of("zero", "sigma_min"), SchedulerType.DPM_MULTISTEP,
                    SchedulerConfig::finalSigmasType));

    static Stream<Arguments> everySpelling() {
        return OPTIONS.stream().flatMap(o -> o.diffusers().stream().map(v -> Arguments.of(o, v)));
    }

    static Stream<Option> options() {
        return OPTIONS.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everySpelling")
    void everyDiffusersSpellingRoundTripsThroughTheConfig(Option o, String value) {
        Object parsed = o.parse(value);
        assertThat(((ConfigValue) parsed).value()).isEqualTo(value);
        assertThat(parsed.toString()).isEqualTo(value); // messages and ModelSchedulers' name matching use it

        ObjectNode json = JsonNodeFactory.instance.objectNode().put(o.key(), value);
        SchedulerConfig c = SchedulerConfig.fromJson(o.takenBy(), json, null);
        assertThat(o.read().apply(c)).isSameAs(parsed);
        assertThat(c.toJson().get(o.key()).asText()).isEqualTo(value);
        assertThat(SchedulerConfig.fromJson(o.takenBy(), c.toJson(), null)).usingRecursiveComparison().isEqualTo(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void theEnumHasExactlyDiffusersValues(Option o) {
        assertThat(Arrays.stream(o.type().getEnumConstants()).map(e -> ((ConfigValue) e).value()))
                .containsExactlyElementsOf(o.diffusers());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void unknownValuesAreRejectedListingTheValidOnes(Option o) {
        List<String> d = o.diffusers();
        String valid = String.join(", ", d.subList(0, d.size() - 1)) + " or " + d.get(d.size() - 1);
        String message = o.key() + " 'bogus' is not supported (use " + valid + ")";
        assertThatThrownBy(() -> o.parse("bogus")).isInstanceOf(VegaException.class).hasMessage(message);
        // diffusers compares exactly: no case folding, no trimming
        String first = d.get(0);
        assertThatThrownBy(() -> o.parse(first.toUpperCase(java.util.Locale.ROOT))).isInstanceOf(VegaException.class);
        assertThatThrownBy(() -> o.parse(" " + first)).isInstanceOf(VegaException.class);
        // reading a config names the class too
        ObjectNode json = JsonNodeFactory.instance.objectNode().put(o.key(), "bogus");
        assertThatThrownBy(() -> SchedulerConfig.fromJson(o.takenBy(), json, null))
                .isInstanceOf(VegaException.class)
                .hasMessage("invalid " + o.takenBy().className() + " config: " + message);
    }

    @Test
    void existingMessagesAreKept() {
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.DDIM, "{\"prediction_type\": \"eps\"}"))
                .hasMessageEndingWith("prediction_type 'eps' is not supported (use epsilon, v_prediction or sample)");
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.LMS, "{\"beta_schedule\": \"cubic\"}"))
                .hasMessageEndingWith("beta_schedule 'cubic' is not supported (use linear, scaled_linear or"
                        + " squaredcos_cap_v2)");
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.PNDM, "{\"timestep_spacing\": \"x\"}"))
                .hasMessageEndingWith("timestep_spacing 'x' is not supported (use leading, trailing or linspace)");
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.UNIPC, "{\"solver_type\": \"rk4\"}"))
                .hasMessageEndingWith("solver_type 'rk4' is not supported (use midpoint, heun, logrho, bh1 or bh2)");
    }

    @Test
    void keysTheClassDoesNotTakeAreNotParsed() {
        // from_config ignores them, so a value no class knows does no harm there
        SchedulerConfig ddim = SchedulerConfig.fromJson(SchedulerType.DDIM,
                "{\"algorithm_type\": \"bogus\", \"interpolation_type\": \"bogus\", \"final_sigmas_type\": \"bogus\"}");
        assertThat(ddim.algorithmType()).isEqualTo(AlgorithmType.DPMSOLVER_PLUS_PLUS);
        assertThat(ddim.toJson().has("algorithm_type")).isFalse();
    }

    @Test
    void nullsFallBackAsBefore() {
        SchedulerConfig dpm = SchedulerConfig.fromJson(SchedulerType.DPM_MULTISTEP,
                "{\"variance_type\": null, \"timestep_spacing\": null}");
        assertThat(dpm.varianceType()).isNull();
        assertThat(dpm.toJson().get("variance_type").isNull()).isTrue();
        assertThat(dpm.timestepSpacing()).isEqualTo(TimestepSpacing.LEADING);
        assertThat(SchedulerConfig.defaults(SchedulerType.DDPM).varianceType()).isEqualTo(VarianceType.FIXED_SMALL);
    }

    @Test
    void diffusersDefaultsPerClass() {
        SchedulerConfig dpm = SchedulerConfig.defaults(SchedulerType.DPM_MULTISTEP);
        assertThat(dpm.algorithmType()).isEqualTo(AlgorithmType.DPMSOLVER_PLUS_PLUS);
        assertThat(dpm.solverType()).isEqualTo(SolverType.MIDPOINT);
        assertThat(dpm.finalSigmasType()).isEqualTo(FinalSigmasType.ZERO);
        assertThat(dpm.predictionType()).isEqualTo(PredictionType.EPSILON);
        assertThat(dpm.betaSchedule()).isEqualTo(BetaSchedule.LINEAR);
        assertThat(SchedulerConfig.defaults(SchedulerType.UNIPC).solverType()).isEqualTo(SolverType.BH2);
        assertThat(SchedulerConfig.defaults(SchedulerType.EULER).interpolationType())
                .isEqualTo(InterpolationType.LINEAR);
        assertThat(SchedulerConfig.defaults(SchedulerType.EULER).timestepType()).isEqualTo(TimestepType.DISCRETE);
        assertThat(SchedulerConfig.defaults(SchedulerType.DDIM).timestepSpacing()).isEqualTo(TimestepSpacing.LEADING);
        assertThat(SchedulerConfig.defaults(SchedulerType.LCM).betaSchedule()).isEqualTo(BetaSchedule.SCALED_LINEAR);
    }

    @Test
    void eachSchedulerStillRejectsTheValuesItDoesNotImplement() {
        for (String alg : List.of("sde-dpmsolver", "sde-dpmsolver++")) {
            SchedulerConfig c = SchedulerConfig.fromJson(SchedulerType.DPM_SINGLESTEP,
                    "{\"algorithm_type\": \"" + alg + "\"}");
            assertThatThrownBy(() -> SchedulerType.DPM_SINGLESTEP.create(c)).isInstanceOf(VegaException.class)
                    .hasMessage("DPMSolverSinglestepScheduler algorithm_type '" + alg
                            + "' is not supported (use dpmsolver, dpmsolver++ or deis)");
        }
        for (String v : List.of("learned", "learned_range")) {
            SchedulerConfig c = SchedulerConfig.fromJson(SchedulerType.DDPM, "{\"variance_type\": \"" + v + "\"}");
            assertThatThrownBy(() -> SchedulerType.DDPM.create(c)).isInstanceOf(VegaException.class)
                    .hasMessageStartingWith("DDPMScheduler variance_type '" + v + "' is not supported");
        }
        SchedulerConfig pndm = SchedulerConfig.fromJson(SchedulerType.PNDM, "{\"prediction_type\": \"sample\"}");
        assertThatThrownBy(() -> SchedulerType.PNDM.create(pndm)).isInstanceOf(VegaException.class);
        SchedulerConfig dpm = SchedulerConfig.fromJson(SchedulerType.DPM_MULTISTEP,
                "{\"algorithm_type\": \"dpmsolver\"}");
        assertThatThrownBy(() -> SchedulerType.DPM_MULTISTEP.create(dpm)).isInstanceOf(VegaException.class)
                .hasMessageContaining("final_sigmas_type 'zero' is not supported for algorithm_type dpmsolver");
    }

    @Test
    void fallbackSpellingsRunLikeTheDefaults() {
        // diffusers runs deis as dpmsolver++, UniPC's bh names as midpoint in DPM-Solver, DPM-Solver's as bh2 in UniPC
        assertSameSteps(SchedulerType.DPM_MULTISTEP, "{\"algorithm_type\": \"deis\", \"solver_type\": \"bh1\"}",
                "{\"algorithm_type\": \"dpmsolver++\", \"solver_type\": \"midpoint\"}");
        assertSameSteps(SchedulerType.DPM_SINGLESTEP, "{\"algorithm_type\": \"deis\", \"solver_type\": \"logrho\"}",
                "{}");
        assertSameSteps(SchedulerType.UNIPC, "{\"solver_type\": \"heun\"}", "{\"solver_type\": \"bh2\"}");
    }

    private static void assertSameSteps(SchedulerType type, String json, String reference) {
        assertThat(steps(type, json)).containsExactly(steps(type, reference));
    }

    private static float[] steps(SchedulerType type, String json) {
        Scheduler s = type.create(SchedulerConfig.fromJson(type, json));
        s.setTimesteps(5);
        Tensor x = new TorchGenerator(3).randn(1, 2, 2, 2);
        for (double t : s.timesteps()) {
            Tensor eps = F32.map(x, v -> 0.5f * v);
            x = s.step(eps, t, x, new TorchGenerator(7)).prevSample();
        }
        return x.data();
    }
}

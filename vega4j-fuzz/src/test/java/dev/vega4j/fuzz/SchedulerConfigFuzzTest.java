package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vega4j.VegaException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.schedulers.Scheduler;
import dev.vega4j.schedulers.SchedulerConfig;
import dev.vega4j.schedulers.SchedulerRegistry;
import dev.vega4j.schedulers.SchedulerType;
import dev.vega4j.schedulers.StepOutput;
import dev.vega4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Scheduler configurations: every {@link SchedulerType} (read from the enum, so classes added later are fuzzed too)
 * with a fuzzed {@code scheduler_config.json}, or every registry name (A1111/Segmind spelling) over a fuzzed base
 * config; then {@code set_timesteps} and two steps on a tiny latent. Byte 0 picks the class or name, byte 1 the step
 * count (1..64), the rest is the JSON. Only a {@link VegaException} may escape (bad configs and step counts are
 * {@code InvalidRequestException}s); the timesteps are finite when it does not.
 */
class SchedulerConfigFuzzTest {
    private static Tensor filled(float v) {
        float[] a = new float[16];
        Arrays.fill(a, v);
        return Tensor.of(a, 1, 4, 2, 2);
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/json.dict")
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/scheduler.dict")
    void configure(byte[] input) {
        if (input.length < 2) {
            return;
        }
        SchedulerType[] types = SchedulerType.values();
        List<String> names = SchedulerRegistry.names();
        int pick = input[0] & 0xff;
        int steps = 1 + (input[1] & 63);
        String json = Inputs.text(Arrays.copyOfRange(input, 2, input.length));
        Contract.check(VegaException.class, 32 * Contract.MB, () -> {
            Scheduler s;
            if (pick < 128) {
                SchedulerType type = types[pick % types.length];
                s = type.create(SchedulerConfig.fromJson(type, json));
            } else {
                com.fasterxml.jackson.databind.JsonNode base;
                try {
                    base = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
                } catch (java.io.IOException e) {
                    return;
                }
                s = SchedulerRegistry.create(names.get(pick % names.size()), base);
            }
            s.setTimesteps(steps);
            double[] ts = s.timesteps();
            for (double t : ts) {
                if (!Double.isFinite(t)) {
                    throw new AssertionError("timestep " + t + " in " + Arrays.toString(ts));
                }
            }
            Tensor x = filled(0.5f * s.initNoiseSigma());
            for (int i = 0; i < Math.min(2, ts.length); i++) {
                s.scaleModelInput(x, ts[i]);
                StepOutput out = s.step(filled(0.1f), ts[i], x, new TorchGenerator(i));
                x = out.prevSample();
            }
        });
    }
}

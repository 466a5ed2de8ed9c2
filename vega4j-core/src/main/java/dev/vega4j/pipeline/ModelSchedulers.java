package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Placeholder until the schedulers land. */
final class ModelSchedulers implements SchedulerProvider {
    static SchedulerProvider load(Path schedulerDir) {
        return new ModelSchedulers();
    }

    @Override
    public SamplingScheduler create(String name) {
        return new DiffusionPipelineStub();
    }

    @Override
    public SamplingScheduler fromClass(String className, JsonNode overrides) {
        throw new UnsupportedOperationException("schedulers not available yet");
    }

    private static final class DiffusionPipelineStub implements SamplingScheduler {
        public String name() { return "pending"; }
        public void setTimesteps(int n) { throw new UnsupportedOperationException(); }
        public double[] timesteps() { throw new UnsupportedOperationException(); }
        public int order() { return 1; }
        public float initNoiseSigma() { return 1; }
        public dev.vega4j.tensor.Tensor scaleModelInput(dev.vega4j.tensor.Tensor s, double t) { return s; }
        public dev.vega4j.tensor.Tensor step(dev.vega4j.tensor.Tensor m, double t, dev.vega4j.tensor.Tensor s,
                dev.vega4j.rng.TorchGenerator g) { throw new UnsupportedOperationException(); }
        public dev.vega4j.tensor.Tensor addNoise(dev.vega4j.tensor.Tensor o, dev.vega4j.tensor.Tensor n, double t) {
            throw new UnsupportedOperationException();
        }
    }
}

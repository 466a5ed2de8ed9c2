package dev.vega4j.models;

import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.io.MapWeights;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random weights for a model config, for shape/speed work without downloading checkpoints. The shapes come
 * from the model's own builder, so they always match. Values follow torch's default scale: matrices and kernels
 * uniform in ±1/√fan_in, biases uniform in ±0.02, 1-D {@code *.weight} (norm gains) 1. Each tensor has its own stream
 * derived from (seed, name), so the values do not depend on build order.
 */
public final class RandomWeights {
    private RandomWeights() {}

    public static MapWeights forUNet(UNetConfig config, long seed) {
        return of(UNet2DConditionModel.parameterShapes(config), seed, "random UNet weights (seed " + seed + ")");
    }

    public static MapWeights forVae(VaeConfig config, long seed) {
        return of(AutoencoderKL.parameterShapes(config), seed, "random VAE weights (seed " + seed + ")");
    }

    public static MapWeights of(Map<String, int[]> shapes, long seed, String source) {
        Map<String, Tensor> filled = new java.util.concurrent.ConcurrentHashMap<>();
        shapes.entrySet().parallelStream().forEach(e -> filled.put(e.getKey(), tensor(e.getKey(), e.getValue(), seed)));
        Map<String, Tensor> ordered = new LinkedHashMap<>(); // build order, whatever order the fill ran in
        for (String k : shapes.keySet()) {
            ordered.put(k, filled.get(k));
        }
        return new MapWeights(ordered, source);
    }

    private static Tensor tensor(String name, int[] shape, long seed) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        if (shape.length == 1 && name.endsWith(".weight")) {
            java.util.Arrays.fill(d, 1f);
            return t;
        }
        float bound;
        if (shape.length >= 2) {
            long fanIn = Tensor.numel(shape) / shape[0];
            bound = (float) (1.0 / Math.sqrt(fanIn));
        } else {
            bound = 0.02f;
        }
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        return t;
    }
}

package dev.vega4j.bench;

import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.io.IndexedWeights;
import dev.vega4j.io.MapWeights;
import dev.vega4j.io.Weights;
import dev.vega4j.io.WeightResidency;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.tensor.Half;
import dev.vega4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RandomWeights() {}

    public static MapWeights forUNet(UNetConfig config, long seed) {
        return forUNet(config, seed, Tensor.Storage.F32);
    }

    /** With {@code storage} MAPPED_F32, F16 or BF16 the layer weights are held as a loaded checkpoint's would be. */
    public static MapWeights forUNet(UNetConfig config, long seed, Tensor.Storage storage) {
        return of(UNet2DConditionModel.parameterShapes(config), seed, "random UNet weights (seed " + seed + ")",
                storage);
    }

    public static MapWeights forVae(VaeConfig config, long seed) {
        return forVae(config, seed, Tensor.Storage.F32);
    }

    public static MapWeights forVae(VaeConfig config, long seed, Tensor.Storage storage) {
        return of(AutoencoderKL.parameterShapes(config), seed, "random VAE weights (seed " + seed + ")", storage);
    }

    public static MapWeights of(Map<String, int[]> shapes, long seed, String source) {
        return of(shapes, seed, source, Tensor.Storage.F32);
    }

    /**
     * Random weights; with {@code storage} MAPPED_F32, F16 or BF16, the tensors that a checkpoint would keep mapped
     * ({@link WeightResidency}: matrices and kernels of at least {@link WeightResidency#MIN_ELEMENTS}) are held in
     * native memory outside the Java heap (F16/BF16: rounded to that format), like a loaded file's; the rest, and
     * everything with {@code storage} F32, is heap float32.
     */
    public static MapWeights of(Map<String, int[]> shapes, long seed, String source, Tensor.Storage storage) {
        Map<String, Tensor> filled = new java.util.concurrent.ConcurrentHashMap<>();
        shapes.entrySet().parallelStream().forEach(e -> filled.put(e.getKey(),
                tensor(e.getKey(), e.getValue(), seed, storage)));
        Map<String, Tensor> ordered = new LinkedHashMap<>(); // build order, whatever order the fill ran in
        for (String k : shapes.keySet()) {
            ordered.put(k, filled.get(k));
        }
        return new MapWeights(ordered, source);
    }

    /**
     * The same values as {@link #of(Map, long, String)}, made when a tensor is read and not kept: for writing a
     * real-size random checkpoint tensor by tensor ({@link RandomCheckpoint}) without holding the model.
     */
    public static Weights lazy(Map<String, int[]> shapes, long seed, String source) {
        return new Lazy("", java.util.Collections.unmodifiableMap(new LinkedHashMap<>(shapes)),
                java.util.concurrent.ConcurrentHashMap.newKeySet(), seed, source);
    }

    private static final class Lazy extends IndexedWeights<int[]> {
        private final long seed;

        Lazy(String prefix, Map<String, int[]> shapes, java.util.Set<String> accessed, long seed, String source) {
            super(prefix, shapes, accessed, source);
            this.seed = seed;
        }

        @Override
        protected Tensor read(String fullName, int[] shape, boolean keepMapped) {
            return tensor(fullName, shape, seed, Tensor.Storage.F32);
        }

        @Override
        protected int[] shapeOf(String fullName) {
            return index.get(fullName);
        }

        @Override
        protected Weights view(String newPrefix) {
            return new Lazy(newPrefix, index, accessed, seed, source());
        }
    }

    private static Tensor tensor(String name, int[] shape, long seed, Tensor.Storage storage) {
        long n = Tensor.numel(shape);
        if (shape.length == 1 && name.endsWith(".weight")) {
            return Tensor.full(1f, shape);
        }
        float bound;
        if (shape.length >= 2) {
            long fanIn = n / shape[0];
            bound = (float) (1.0 / Math.sqrt(fanIn));
        } else {
            bound = 0.02f;
        }
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        boolean outsideHeap = storage.mapped() && (shape.length == 2 || shape.length == 4)
                && n >= WeightResidency.minElements();
        if (outsideHeap && storage == Tensor.Storage.MAPPED_F32) {
            // written straight into native memory: no float32 copy of a large tensor on the heap, even briefly
            MemorySegment seg = Arena.ofAuto().allocate(4 * n, 64);
            for (long i = 0; i < n; i++) {
                seg.set(F32_LE, 4 * i, (float) ((r.nextDouble() * 2 - 1) * bound));
            }
            return Tensor.ofMapped(seg, storage, shape);
        }
        if (outsideHeap) {
            boolean bf16 = storage == Tensor.Storage.BF16;
            MemorySegment seg = Arena.ofAuto().allocate(2 * n, 64);
            for (long i = 0; i < n; i++) {
                seg.set(Half.LE, 2 * i, Half.fromFloat((float) ((r.nextDouble() * 2 - 1) * bound), bf16));
            }
            return Tensor.ofHalf(seg, storage, shape);
        }
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
        return t;
    }
}

package dev.vega4j.models.unet;

import dev.vega4j.config.UNetConfig;
import dev.vega4j.io.MapWeights;
import dev.vega4j.models.ParameterCounts;
import dev.vega4j.models.RandomWeights;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * One-off real-size run (not a test: it needs ~3 GB of heap for Vega and takes minutes with the reference ops):
 * builds a UNet from a {@code config.json} with seeded random weights and times one forward pass.
 *
 * <pre>java -Xmx8g -cp ... dev.vega4j.models.unet.RealSizeRun CONFIG.json [image side 512] [batch 1] [runs 1]</pre>
 */
public final class RealSizeRun {
    private RealSizeRun() {}

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: RealSizeRun <unet config.json> [image size 512] [batch 1] [runs 1]");
            System.exit(2);
        }
        UNetConfig c = UNetConfig.load(Path.of(args[0]));
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        boolean profile = Boolean.getBoolean("vega.profileOps");
        int latent = size / 8;

        ParameterCounts n = ParameterCounts.of(UNet2DConditionModel.parameterShapes(c));
        System.out.println("parameters: " + n.summary("down_blocks", "mid_block", "up_blocks"));
        System.out.println("ops: " + Ops.get() + ", cores: " + Runtime.getRuntime().availableProcessors());

        long t0 = System.nanoTime();
        MapWeights w = RandomWeights.forUNet(c, 0);
        UNet2DConditionModel m = UNet2DConditionModel.create(c, w);
        System.out.printf("random weights + build: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        Tensor sample = random(1, batch, c.inChannels(), latent, latent);
        Tensor ehs = random(2, batch, 77, c.crossAttentionDim()[0]);
        UNet2DConditionModel.AddedConditions added = null;
        if ("text_time".equals(c.additionEmbedType())) {
            int pooled = c.projectionClassEmbeddingsInputDim() - 6 * c.additionTimeEmbedDim();
            float[] ids = new float[6 * batch];
            for (int b = 0; b < batch; b++) {
                float[] one = {size, size, 0, 0, size, size};
                System.arraycopy(one, 0, ids, 6 * b, 6);
            }
            added = new UNet2DConditionModel.AddedConditions(random(3, batch, pooled), Tensor.of(ids, batch, 6));
        }
        java.util.Map<String, long[]> opTimes = new java.util.concurrent.ConcurrentHashMap<>();
        if (profile) {
            Ops.set(timed(Ops.get(), opTimes));
        }
        for (int run = 1; run <= runs; run++) {
            opTimes.clear();
            long cpu0 = processCpuNanos();
            long t1 = System.nanoTime();
            Tensor out = m.forward(sample, 999f, ehs, added);
            double secs = (System.nanoTime() - t1) / 1e9;
            double cpu = (processCpuNanos() - cpu0) / 1e9;
            double sum = 0;
            for (float v : out.data()) {
                sum += Math.abs(v);
            }
            // wall time depends on what else the machine runs; process CPU time shows the work itself
            System.out.printf("run %d: forward %dx%d (latent %dx%d, batch %d): %.1f s wall, %.1f s process CPU,"
                    + " mean |out| %.4f%n", run, size, size, latent, latent, batch, secs, cpu, sum / out.numel());
        }
        opTimes.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                .forEach(e -> System.out.printf("  %-18s %6d calls %8.2f s%n", e.getKey(), e.getValue()[0],
                        e.getValue()[1] / 1e9));
    }

    /** Wraps the ops to add up wall time per operation (last run only). */
    private static dev.vega4j.tensor.TensorOps timed(dev.vega4j.tensor.TensorOps ops, java.util.Map<String, long[]> t) {
        return (dev.vega4j.tensor.TensorOps) java.lang.reflect.Proxy.newProxyInstance(
                RealSizeRun.class.getClassLoader(), new Class<?>[] {dev.vega4j.tensor.TensorOps.class},
                (proxy, method, margs) -> {
                    long t0 = System.nanoTime();
                    try {
                        return method.invoke(ops, margs);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        long[] acc = t.computeIfAbsent(method.getName(), k -> new long[2]);
                        acc[0]++;
                        acc[1] += System.nanoTime() - t0;
                    }
                });
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static Tensor random(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }
}

package dev.vega4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets the kernels compiled before the first denoising step needs them. A cold process runs its first UNet step
 * 20-40% slower than the next ones: the Vector API kernels run interpreted (each vector operation an object) until C2
 * has compiled them, and C2 needs thousands of calls and several seconds of compile time for the ~600 methods a step
 * uses. JDK 25 cannot store compiled code, so this does the next best thing: while the model loads (disk-bound: the
 * weight files are memory-mapped and first touched) a daemon thread runs every op kind of a generation on small
 * tensors through its own one-thread {@link VectorOps}, and C2 compiles the same kernel methods the real work calls.
 * Results do not depend on it (the same bytecode runs, compiled sooner). {@code -Dvega.jitWarmup=false} turns it off.
 */
public final class JitWarmup {
    private JitWarmup() {}

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(
            ByteOrder.LITTLE_ENDIAN);

    /** Starts the warm-up once per process (later calls do nothing); returns immediately. */
    public static void startInBackground() {
        if (!Switches.get().jitWarmup() || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().name("vega-jit-warmup").daemon(true).priority(Thread.MIN_PRIORITY).start(() -> {
            try {
                run(new VectorOps(1), 40);
            } catch (RuntimeException | LinkageError e) {
                // a warm-up that fails changes nothing but the first step's speed
            }
        });
    }

    /**
     * Runs every op kind a generation uses {@code rounds} times on small tensors (shapes chosen so that each kernel's
     * main path runs: whole register tiles, Winograd interior tiles, attention key blocks, vector loops and tails);
     * returns a checksum so that nothing is optimised away.
     */
    public static double run(TensorOps ops, int rounds) {
        Random r = new Random(1);
        Tensor img = random(r, 1, 64, 24, 24), cw3 = random(r, 64, 64, 3, 3), cw1 = random(r, 32, 64, 1, 1);
        Tensor bias = random(r, 64), g = random(r, 64), b = random(r, 64);
        Tensor tokens = random(r, 1, 256, 64), w = random(r, 128, 64), wb = random(r, 128);
        Tensor ctx = random(r, 1, 77, 64), ln = random(r, 64);
        Tensor ff = random(r, 1, 256, 256);
        try (Arena arena = Arena.ofConfined()) {
            Tensor halfW = halfWeight(arena, r, 128, 64);
            double sink = 0;
            for (int i = 0; i < rounds; i++) {
                Tensor h = ops.groupNorm(img, 32, g, b, 1e-5f, true);
                h = ops.conv2d(h, cw3, bias, 1, 1); // Winograd
                h = ops.addInPlace(h, img);
                Tensor down = ops.conv2d(h, cw3, bias, 2, 1);
                Tensor up = ops.upsampleNearest(down, 24, 24);
                Tensor cat = ops.concatChannels(h, up);
                Tensor proj = ops.conv2d(ops.groupNorm(img, 32, g, b, 1e-6f, false), cw1, null, 1, 0);
                Tensor x = ops.layerNorm(tokens, ln, ln, 1e-5f);
                Tensor q = ops.linear(x, w, wb), kv = ops.linear(ctx, w, null);
                Tensor self = ops.attention(q, q, q, 2, 0.125f, false);
                Tensor cross = ops.attention(q, kv, kv, 2, 0.125f, false);
                Tensor gated = ops.geglu(ff);
                Tensor mapped = ops.linear(x, halfW, wb);
                Tensor act = ops.silu(ops.gelu(ops.add(self, cross)));
                Tensor nchw = ops.nlcToNchw(ops.add(act, mapped), 16, 16);
                Tensor nlc = ops.nchwToNlc(ops.addChannelBias(nchw, wb));
                Tensor sm = ops.softmax(ops.scale(ops.mul(gated, gated), 0.5f));
                sink += cat.data()[7] + proj.data()[3] + nlc.data()[5] + sm.data()[11]
                        + ops.timestepEmbedding(new float[] {999f - i}, 320, true, 0f, 1f, 10000).data()[0];
            }
            return sink;
        }
    }

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian() * 0.1f;
        }
        return t;
    }

    /** A fp16 weight as the mapped weight files hold it, so the half-precision packing paths compile too. */
    private static Tensor halfWeight(Arena arena, Random r, int rows, int cols) {
        MemorySegment seg = arena.allocate((long) rows * cols * 2, 2);
        for (long i = 0; i < (long) rows * cols; i++) {
            seg.set(LE_SHORT, 2 * i,
                    Float.floatToFloat16((float) r.nextGaussian() * 0.1f));
        }
        return Tensor.ofMapped(seg, Tensor.Storage.F16, rows, cols);
    }
}

package dev.vega4j.io.checkpoint;

import dev.vega4j.VegaException;
import dev.vega4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * How a tensor changes between the single-file (SGM/LDM) layout and the diffusers layout. Every transform only moves
 * or reshapes values, so a round trip is bit-exact.
 */
public enum Transform {
    /** Same values, same shape. */
    IDENTITY,
    /** OpenCLIP {@code text_projection} [hidden, proj] is applied as {@code x @ P}; diffusers' Linear stores Pᵀ. */
    TRANSPOSE,
    /** LDM VAE attention q/k/v/proj_out are 1x1 convolutions [C, C, 1, 1]; diffusers uses Linear [C, C]. */
    CONV1X1_TO_LINEAR,
    /** First third (rows) of OpenCLIP's fused {@code in_proj_weight}/{@code in_proj_bias}: the query projection. */
    QKV_Q,
    /** Second third: the key projection. */
    QKV_K,
    /** Last third: the value projection. */
    QKV_V;

    /** Part index of a fused q/k/v slice, or -1. */
    public int qkvPart() {
        return switch (this) {
            case QKV_Q -> 0;
            case QKV_K -> 1;
            case QKV_V -> 2;
            default -> -1;
        };
    }

    /** Single-file tensor → diffusers tensor. */
    public Tensor toDiffusers(Tensor t, String name) {
        return switch (this) {
            case IDENTITY -> t;
            case TRANSPOSE -> transpose(require2d(t, name));
            case CONV1X1_TO_LINEAR -> {
                int[] s = t.shape();
                if (s.length == 2) {
                    yield t; // already stored as a Linear (some re-exported checkpoints)
                }
                if (s.length != 4 || s[2] != 1 || s[3] != 1) {
                    throw new VegaException("checkpoint tensor '" + name + "' should be a 1x1 convolution [C, C, 1, 1], has shape "
                            + Arrays.toString(s));
                }
                yield t.reshape(s[0], s[1]);
            }
            case QKV_Q, QKV_K, QKV_V -> {
                if (t.dim(0) % 3 != 0) {
                    throw new VegaException("checkpoint tensor '" + name + "' should hold q, k and v stacked (first dimension a"
                            + " multiple of 3), has shape " + Arrays.toString(t.shape()));
                }
                int third = t.dim(0) / 3;
                yield t.slice0(qkvPart() * third, (qkvPart() + 1) * third);
            }
        };
    }

    /** The diffusers shape of a single-file tensor of shape {@code s} (what {@link #toDiffusers} gives). */
    public int[] diffusersShape(int[] s, String name) {
        return switch (this) {
            case IDENTITY -> s;
            case TRANSPOSE -> s.length == 2 ? new int[] {s[1], s[0]} : s;
            case CONV1X1_TO_LINEAR -> s.length == 4 ? new int[] {s[0], s[1]} : s;
            case QKV_Q, QKV_K, QKV_V -> {
                int[] d = s.clone();
                d[0] /= 3;
                yield d;
            }
        };
    }

    /** The single-file shape of a diffusers tensor of shape {@code d} (every transform but the q/k/v parts). */
    public int[] singleFileShape(int[] d) {
        return switch (this) {
            case IDENTITY -> d;
            case TRANSPOSE -> new int[] {d[1], d[0]};
            case CONV1X1_TO_LINEAR -> new int[] {d[0], d[1], 1, 1};
            case QKV_Q, QKV_K, QKV_V -> throw new IllegalStateException("q/k/v parts are joined with fuseQkv");
        };
    }

    /** Diffusers tensor → single-file tensor (for every transform but the q/k/v parts, which {@link #fuseQkv} joins). */
    public Tensor toSingleFile(Tensor t, String name) {
        return switch (this) {
            case IDENTITY -> t;
            case TRANSPOSE -> transpose(require2d(t, name));
            case CONV1X1_TO_LINEAR -> t.reshape(t.dim(0), t.dim(1), 1, 1);
            case QKV_Q, QKV_K, QKV_V -> throw new IllegalStateException("q/k/v parts are joined with fuseQkv");
        };
    }

    /** OpenCLIP's fused projection from diffusers' q, k, v (rows stacked in that order). */
    public static Tensor fuseQkv(List<Tensor> qkv) {
        return Tensor.cat0(qkv.toArray(Tensor[]::new));
    }

    private static Tensor require2d(Tensor t, String name) {
        if (t.rank() != 2) {
            throw new VegaException("checkpoint tensor '" + name + "' should be a matrix, has shape " + Arrays.toString(t.shape()));
        }
        return t;
    }

    static Tensor transpose(Tensor t) {
        int r = t.dim(0), c = t.dim(1);
        float[] src = t.data(), dst = new float[src.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                dst[j * r + i] = src[i * c + j];
            }
        }
        return Tensor.of(dst, c, r);
    }
}

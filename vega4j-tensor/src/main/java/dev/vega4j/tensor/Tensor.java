package dev.vega4j.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major, contiguous float32 tensor: a {@code float[]} and a shape.
 *
 * <p>Layouts used across vega4j: images and feature maps are NCHW, token sequences are [B, T, C]. A reshape is a view
 * sharing the same array; everything else that changes layout copies. Kept deliberately small: the interesting work
 * lives in {@link TensorOps}.
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /** Wraps {@code data} (no copy) with the given shape; the element count must match. */
    public static Tensor of(float[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " elements, got " + data.length);
        }
        return new Tensor(data, shape.clone());
    }

    public static Tensor zeros(int... shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor too large for one array: " + Arrays.toString(shape));
        }
        return new Tensor(new float[(int) n], shape.clone());
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    /** The backing array (row-major). Writes are visible to every view of this tensor. */
    public float[] data() {
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative indices count from the end like PyTorch. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int numel() {
        return data.length;
    }

    /** A view with another shape over the same data; one dimension may be -1 (inferred). */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one -1 allowed in " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || data.length % known != 0) {
                throw new IllegalArgumentException(
                        "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
            }
            s[infer] = (int) (data.length / known);
        }
        if (numel(s) != data.length) {
            throw new IllegalArgumentException(
                    "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(data, s);
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape.clone());
    }

    /** Element at a full multi-index (slow; for tests and debugging). */
    public float get(int... index) {
        return data[offset(index)];
    }

    public void set(float value, int... index) {
        data[offset(index)] = value;
    }

    private int offset(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index rank " + index.length + " != tensor rank " + shape.length);
        }
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of " + Arrays.toString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    /** Copy of entries {@code [from, to)} along dimension 0. */
    public Tensor slice0(int from, int to) {
        if (from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + "," + to + ") of dim 0 = " + shape[0]);
        }
        int inner = data.length / Math.max(1, shape[0]);
        int[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(Arrays.copyOfRange(data, from * inner, to * inner), s);
    }

    /** Concatenation along dimension 0 (batch). All other dimensions must agree. */
    public static Tensor cat0(Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        int[] s = parts[0].shape.clone();
        int total = 0;
        for (Tensor p : parts) {
            if (p.rank() != s.length || !Arrays.equals(p.shape, 1, s.length, s, 1, s.length)) {
                throw new IllegalArgumentException("cat0 shape mismatch: " + Arrays.toString(parts[0].shape)
                        + " vs " + Arrays.toString(p.shape));
            }
            total += p.shape[0];
        }
        s[0] = total;
        Tensor out = zeros(s);
        int off = 0;
        for (Tensor p : parts) {
            System.arraycopy(p.data, 0, out.data, off, p.data.length);
            off += p.data.length;
        }
        return out;
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}

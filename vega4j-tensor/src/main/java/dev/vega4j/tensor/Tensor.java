package dev.vega4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major, contiguous tensor and its shape. Almost every tensor is float32 over a {@code float[]}; a large
 * layer weight may instead stay in the bytes it was stored in ({@link #ofMapped}: float32, fp16 or bf16, usually the
 * memory-mapped file itself), read-only, converted to a float32 array only where it is read (the GEMM and convolution
 * entry points convert while packing, see {@link MappedData#toFloats}). Computation is always float32.
 *
 * <p>Layouts used across vega4j: images and feature maps are NCHW, token sequences are [B, T, C]. A reshape is a view
 * sharing the same storage; everything else that changes layout copies. Kept deliberately small: the interesting work
 * lives in {@link TensorOps}.
 */
public final class Tensor {
    /** How the elements are held. */
    public enum Storage {
        /** A {@code float[]} on the heap ({@link #data()}). */
        F32(4),
        /**
         * Little-endian float32 in a read-only {@link MemorySegment} ({@link #mapped()}), not necessarily 4-byte
         * aligned (a safetensors data section only promises byte offsets).
         */
        MAPPED_F32(4),
        /** IEEE 754 binary16, little-endian, read-only ({@link #mapped()}). */
        F16(2),
        /** bfloat16 (the top half of a float32), little-endian, read-only ({@link #mapped()}). */
        BF16(2);

        private final int elementBytes;

        Storage(int elementBytes) {
            this.elementBytes = elementBytes;
        }

        /** Bytes per element. */
        public int elementBytes() {
            return elementBytes;
        }

        /** True for the kinds held in a {@link MemorySegment} ({@link MappedData}). */
        public boolean mapped() {
            return this != F32;
        }
    }

    /** Little-endian float32 that may sit at any byte offset. */
    private static final ValueLayout.OfFloat LE_F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Elements held in a memory segment: {@code bytes} holds numel little-endian values of {@link #kind()} (float32,
     * fp16 or bf16). One instance is shared by every reshape view of a tensor, so it also serves as the identity of
     * the storage ({@link #storageKey()}).
     */
    public static final class MappedData {
        private final MemorySegment bytes;
        private final Storage kind;

        MappedData(MemorySegment bytes, Storage kind) {
            this.bytes = bytes;
            this.kind = kind;
        }

        /** The raw little-endian elements (read-only). */
        public MemorySegment bytes() {
            return bytes;
        }

        /** {@link Storage#MAPPED_F32}, {@link Storage#F16} or {@link Storage#BF16}. */
        public Storage kind() {
            return kind;
        }

        /** True for bfloat16. */
        public boolean bf16() {
            return kind == Storage.BF16;
        }

        /**
         * Elements {@code [from, from + len)} as float32 into {@code dst[dstOff ...]}: a copy for float32, an exact
         * widening for fp16/bf16, so the values equal those of a float32 load of the same file bit for bit.
         */
        public void toFloats(long from, float[] dst, int dstOff, int len) {
            if (kind == Storage.MAPPED_F32) {
                MemorySegment.copy(bytes, LE_F32, 4 * from, dst, dstOff, len);
            } else {
                Half.toFloats(bytes, from, kind == Storage.BF16, dst, dstOff, len);
            }
        }

        /** One element as float32. */
        public float get(long index) {
            return kind == Storage.MAPPED_F32 ? bytes.get(LE_F32, 4 * index) : Half.toFloat(bytes, index, bf16());
        }
    }

    private final float[] data; // null for mapped storage
    private final MappedData mapped; // null for heap float32 storage
    private final int numel;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.mapped = null;
        this.numel = data.length;
        this.shape = shape;
    }

    private Tensor(MappedData mapped, int numel, int[] shape) {
        this.data = null;
        this.mapped = mapped;
        this.numel = numel;
        this.shape = shape;
    }

    /**
     * A tensor over elements held in {@code bytes} without copying them: {@code numel(shape)} little-endian values of
     * {@code kind} ({@link Storage#MAPPED_F32}, {@link Storage#F16} or {@link Storage#BF16}; a slice of a memory-mapped
     * file, or native memory). The tensor is read-only; it must not outlive the memory behind {@code bytes}.
     */
    public static Tensor ofMapped(MemorySegment bytes, Storage kind, int... shape) {
        Objects.requireNonNull(bytes, "bytes");
        if (!kind.mapped()) {
            throw new IllegalArgumentException("ofMapped needs MAPPED_F32, F16 or BF16 storage, got " + kind);
        }
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        if (bytes.byteSize() != kind.elementBytes() * n) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
                    + kind.elementBytes() * n + " bytes of " + kind + ", got " + bytes.byteSize());
        }
        return new Tensor(new MappedData(bytes.asReadOnly(), kind), (int) n, shape.clone());
    }

    /** {@link #ofMapped} for fp16/bf16 elements only. */
    public static Tensor ofHalf(MemorySegment bytes, Storage kind, int... shape) {
        if (kind != Storage.F16 && kind != Storage.BF16) {
            throw new IllegalArgumentException("ofHalf needs F16 or BF16 storage, got " + kind);
        }
        return ofMapped(bytes, kind, shape);
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

    /**
     * The backing array (row-major). Writes are visible to every view of this tensor.
     *
     * @throws IllegalStateException for a mapped tensor (a weight kept in its file's bytes, float32 or fp16/bf16):
     *                               read it through {@link #toFloat32()}, {@link #readFloats} or the ops
     */
    public float[] data() {
        if (data == null) {
            throw new IllegalStateException("tensor " + this + " is held as " + mapped.kind
                    + " (a weight kept in the memory-mapped file, read-only): use toFloat32() for a float32 copy, or"
                    + " load the weights onto the heap (-Dvega.weights.fp32=true)");
        }
        return data;
    }

    /** How the elements are held. */
    public Storage storage() {
        return mapped == null ? Storage.F32 : mapped.kind;
    }

    /**
     * True when the elements are held in a memory segment ({@link #mapped()}: float32, fp16 or bf16, read-only), false
     * for a heap float32 tensor ({@link #data()}).
     */
    public boolean isMapped() {
        return mapped != null;
    }

    /** True when the elements are fp16/bf16 (a special case of {@link #isMapped()}). */
    public boolean isHalf() {
        return mapped != null && mapped.kind != Storage.MAPPED_F32;
    }

    /** The segment storage; throws for a heap float32 tensor. */
    public MappedData mapped() {
        if (mapped == null) {
            throw new IllegalStateException("tensor " + this + " is a heap float32 tensor, not mapped");
        }
        return mapped;
    }

    /**
     * This tensor when it is a heap float32 tensor, else a new one with the values as float32 (exact: every fp16 and
     * bf16 value is a float32 value; mapped float32 is copied).
     */
    public Tensor toFloat32() {
        if (mapped == null) {
            return this;
        }
        float[] out = new float[numel];
        mapped.toFloats(0, out, 0, numel);
        return new Tensor(out, shape.clone());
    }

    /** Elements {@code [from, from + len)} (row-major order) as float32 into {@code dst[dstOff ...]}, any storage. */
    public void readFloats(int from, float[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(from, len, numel);
        if (mapped == null) {
            System.arraycopy(data, from, dst, dstOff, len);
        } else {
            mapped.toFloats(from, dst, dstOff, len);
        }
    }

    /** Bytes the elements take (4 per float32 element, 2 per half element). */
    public long byteSize() {
        return (long) storage().elementBytes() * numel;
    }

    /**
     * The identity of the storage, shared by every reshape view (the {@code float[]} or the {@link MappedData}): what a
     * cache of prepared weights keys on.
     */
    public Object storageKey() {
        return mapped == null ? data : mapped;
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
        return numel;
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
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException(
                        "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
            }
            s[infer] = (int) (numel / known);
        }
        if (numel(s) != numel) {
            throw new IllegalArgumentException(
                    "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return mapped == null ? new Tensor(data, s) : new Tensor(mapped, numel, s);
    }

    /** An independent, writable copy; always heap float32 (a mapped tensor's copy holds the values as float32). */
    public Tensor copy() {
        return mapped == null ? new Tensor(data.clone(), shape.clone()) : toFloat32();
    }

    /** Element at a full multi-index (slow; for tests and debugging). Works for every storage. */
    public float get(int... index) {
        int off = offset(index);
        return mapped == null ? data[off] : mapped.get(off);
    }

    /** Sets one element of a heap float32 tensor (mapped tensors are read-only). */
    public void set(float value, int... index) {
        data()[offset(index)] = value;
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

    /** Float32 copy of entries {@code [from, to)} along dimension 0. */
    public Tensor slice0(int from, int to) {
        if (from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + "," + to + ") of dim 0 = " + shape[0]);
        }
        int inner = numel / Math.max(1, shape[0]);
        int[] s = shape.clone();
        s[0] = to - from;
        float[] out = new float[(to - from) * inner];
        readFloats(from * inner, out, 0, out.length);
        return new Tensor(out, s);
    }

    /** Concatenation along dimension 0 (batch), as float32. All other dimensions must agree. */
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
            p.readFloats(0, out.data, off, p.numel);
            off += p.numel;
        }
        return out;
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    @Override
    public String toString() {
        return (mapped == null ? "Tensor" : "Tensor(" + mapped.kind + ")") + Arrays.toString(shape);
    }
}

package dev.vega4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes float tensors as a safetensors file (F32, or F16/BF16 to halve the size). The file appears atomically: it is
 * written next to its destination and moved into place, so a crash never leaves a half-written checkpoint.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        write(path, tensors, metadata, DType.F32);
    }

    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, DType dtype) {
        List<Entry> entries = new ArrayList<>(tensors.size());
        tensors.forEach((name, t) -> entries.add(new Entry(name, t.shape(), () -> t)));
        write(path, entries, metadata, dtype);
    }

    /**
     * One tensor of a streamed file: its name, its shape (for the header, written first) and where its values come
     * from, asked for once when its bytes are written, so a file larger than the heap can be written tensor by tensor.
     */
    public record Entry(String name, int[] shape, Supplier<Tensor> values) {}

    /** Writes the tensors in order, holding one at a time. */
    public static void write(Path path, List<Entry> entries, Map<String, String> metadata, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("can only write F32, F16 or BF16, not " + dtype);
        }
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            if (e.name().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
            }
            if (header.has(e.name())) {
                throw new IllegalArgumentException("tensor '" + e.name() + "' is written twice");
            }
            ObjectNode entry = header.putObject(e.name());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (int d : e.shape()) {
                shape.add(d);
            }
            long bytes = Tensor.numel(e.shape()) * dtype.bytes();
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keep the data section 8-byte aligned, as the reference writer does
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(json);
                for (int i = json.length; i < padded; i++) {
                    out.write(' ');
                }
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (Entry e : entries) {
                    float[] values = e.values().get().toFloat32().data();
                    if (values.length != Tensor.numel(e.shape())) {
                        throw new IllegalStateException("tensor '" + e.name() + "' has " + values.length
                                + " values, its shape " + Arrays.toString(e.shape()) + " needs " + Tensor.numel(e.shape()));
                    }
                    for (float v : values) {
                        if (buf.remaining() < 4) {
                            out.write(buf.array(), 0, buf.position());
                            buf.clear();
                        }
                        switch (dtype) {
                            case F32 -> buf.putFloat(v);
                            case F16 -> buf.putShort(Float.floatToFloat16(v));
                            default -> buf.putShort(toBf16(v));
                        }
                    }
                }
                out.write(buf.array(), 0, buf.position());
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SafetensorsException(path + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Round-to-nearest-even float → bfloat16 (NaN stays NaN). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}

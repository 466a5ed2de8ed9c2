package dev.vega4j.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.vega4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file (https://github.com/huggingface/safetensors, format: u64 little-endian header
 * length, JSON header, data). Files of any size map into one {@link MemorySegment}; tensors are exposed without
 * copying ({@link #segment}) or converted to float32 ({@link #load}).
 *
 * <p>The header is validated completely before any data is touched, so a hostile file can only produce a
 * {@link SafetensorsException}: length beyond the file, non-object JSON, duplicate names, unknown dtypes, shapes that
 * disagree with byte ranges, overlapping or out-of-range offsets, holes, trailing bytes.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers larger than this are refused (the reference implementation uses the same 100 MB bound). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // "{...} garbage" is not a header
            .build();
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    /** Where the data section starts in the file (8 + header length). */
    private final long dataStart;
    /** True when {@link #data} maps the file at {@link #path} (and is unmapped by {@link #close}). */
    private final boolean mapped;
    /** The data section mapped a second time for the tensors that stay mapped; see {@link #loadMapped}. */
    private MemorySegment mappedData;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors,
            Map<String, String> metadata, long dataStart, boolean mapped) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
        this.dataStart = dataStart;
        this.mapped = mapped;
    }

    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(path + ": not a safetensors file (" + size + " bytes, too short for a header)");
            }
            SafetensorsFile f = fromSegment(path, ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), arena);
            return new SafetensorsFile(path, arena, f.data, f.tensors, f.metadata, f.dataStart, true);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new SafetensorsException(path + ": file not found");
        } catch (IOException e) {
            arena.close();
            throw new SafetensorsException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Reads a safetensors image that is already in memory ({@code path} only names it in messages). {@code arena}
     * owns the segment and is closed by {@link #close()}; null for heap segments. The checks are those of
     * {@link #open}, which maps the file and comes here.
     */
    static SafetensorsFile fromSegment(Path path, MemorySegment whole, Arena arena) {
        long size = whole.byteSize();
        if (size < 8) {
            throw new SafetensorsException(path + ": not a safetensors file (" + size + " bytes, too short for a header)");
        }
        long headerLen = whole.get(I64_LE, 0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
            throw new SafetensorsException(path + ": header length " + Long.toUnsignedString(headerLen)
                    + " is impossible for a file of " + size + " bytes");
        }
        byte[] headerBytes = whole.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        MemorySegment dataSection = whole.asSlice(8 + headerLen);
        Header h = parseHeader(path, headerBytes, dataSection.byteSize());
        return new SafetensorsFile(path, arena, dataSection, h.tensors, h.metadata, 8 + headerLen, false);
    }

    private record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata) {}

    private static Header parseHeader(Path path, byte[] headerBytes, long dataSize) {
        String where = path + ": ";
        if (headerBytes[0] != '{') {
            throw new SafetensorsException(where + "header is not a JSON object");
        }
        String text;
        try {
            // Strict: the format requires UTF-8, and a lenient decoder would turn corruption into U+FFFD names.
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(where + "header is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(where + "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(where + "header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw new SafetensorsException(where + "__metadata__ must be an object of strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> me = m.next();
                    if (!me.getValue().isTextual()) {
                        throw new SafetensorsException(where + "__metadata__ value of '" + me.getKey() + "' is not a string");
                    }
                    metadata.put(me.getKey(), me.getValue().asText());
                }
                continue;
            }
            tensors.put(name, parseEntry(where, name, v));
        }
        checkCoverage(where, tensors, dataSize);
        return new Header(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo parseEntry(String where, String name, JsonNode v) {
        String at = where + "tensor '" + name + "': ";
        if (!v.isObject()) {
            throw new SafetensorsException(at + "entry is not an object");
        }
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || !dt.isTextual() || sh == null || !sh.isArray() || off == null || !off.isArray()) {
            throw new SafetensorsException(at + "needs dtype (string), shape (array) and data_offsets (array)");
        }
        DType dtype = DType.parse(dt.asText());
        if (dtype == null) {
            throw new SafetensorsException(at + "unknown dtype '" + dt.asText() + "'");
        }
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new SafetensorsException(at + "shape " + sh + " is not a list of non-negative integers");
            }
            shape[i] = d.asLong();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException ex) {
                throw new SafetensorsException(at + "shape " + sh + " overflows");
            }
        }
        if (off.size() != 2 || !off.get(0).canConvertToExactIntegral() || !off.get(1).canConvertToExactIntegral()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new SafetensorsException(at + "data_offsets " + off + " must be two integers");
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new SafetensorsException(at + "data_offsets " + off + " are not an increasing byte range");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, dtype.bytes());
        } catch (ArithmeticException ex) {
            throw new SafetensorsException(at + "shape " + sh + " overflows");
        }
        if (end - begin != expected) {
            throw new SafetensorsException(at + "shape " + sh + " of " + dtype + " needs " + expected
                    + " bytes but data_offsets " + off + " span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** The data section must be covered exactly: no overlaps, no holes, nothing after the last tensor. */
    private static void checkCoverage(String where, Map<String, TensorInfo> tensors, long dataSize) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long pos = 0;
        for (TensorInfo t : sorted) {
            if (t.begin() < pos) {
                throw new SafetensorsException(where + "tensor '" + t.name() + "' overlaps the previous tensor");
            }
            if (t.begin() > pos) {
                throw new SafetensorsException(where + "hole in the data section before tensor '" + t.name() + "'");
            }
            if (t.end() > dataSize) {
                throw new SafetensorsException(where + "tensor '" + t.name() + "' ends at byte " + t.end()
                        + " beyond the data section (" + dataSize + " bytes); the file is truncated");
            }
            pos = t.end();
        }
        if (pos != dataSize) {
            throw new SafetensorsException(where + (dataSize - pos) + " bytes of trailing data after the last tensor");
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafetensorsException(path + ": no tensor named '" + name + "'");
        }
        return t;
    }

    /** The raw little-endian bytes of a tensor, without copying. */
    public MemorySegment segment(String name) {
        TensorInfo t = info(name);
        return data.asSlice(t.begin(), t.end() - t.begin());
    }

    /** The tensor converted to float32 (F32, F16, BF16, F64 and the integer types). */
    public Tensor load(String name) {
        TensorInfo t = info(name);
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(path + ": tensor '" + name + "' is too large to load as one array");
        }
        for (long d : t.shape()) {
            if (d > Integer.MAX_VALUE) { // possible next to a zero dimension; a Tensor shape is int[]
                throw new SafetensorsException(path + ": tensor '" + name + "' has dimension " + d
                        + ", more than a tensor can hold");
            }
        }
        return Tensor.of(toFloats(segment(name), t.dtype(), (int) t.numel()), t.intShape());
    }

    /**
     * An F32, F16 or BF16 tensor over the file's bytes, without converting or copying them
     * ({@link Tensor.Storage#MAPPED_F32}, {@code F16}, {@code BF16}; read-only). The bytes come from a second,
     * garbage-collected mapping of the file, so the tensor stays valid after {@link #close()} (which only ends the
     * main mapping) for as long as it is reachable; a model built from such tensors keeps the file mapped while it
     * lives, and only the pages it reads become resident, outside the Java heap.
     */
    public Tensor loadMapped(String name) {
        TensorInfo t = info(name);
        Tensor.Storage kind = switch (t.dtype()) {
            case F32 -> Tensor.Storage.MAPPED_F32;
            case F16 -> Tensor.Storage.F16;
            case BF16 -> Tensor.Storage.BF16;
            default -> throw new SafetensorsException(path + ": tensor '" + name + "' is " + t.dtype()
                    + ", not F32, F16 or BF16");
        };
        return Tensor.ofMapped(mappedSection().asSlice(t.begin(), t.end() - t.begin()), kind, t.intShape());
    }

    private synchronized MemorySegment mappedSection() {
        if (mappedData == null) {
            if (!mapped) {
                mappedData = data; // an image already in memory: its owner keeps it alive
            } else {
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                    long size = dataStart + data.byteSize();
                    mappedData = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto()).asSlice(dataStart);
                } catch (IOException e) {
                    throw new SafetensorsException(path + ": cannot map: " + e.getMessage(), e);
                }
            }
        }
        return mappedData;
    }

    /** Converts {@code n} elements of {@code dtype} at the start of {@code seg} to float. */
    public static float[] toFloats(MemorySegment seg, DType dtype, int n) {
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(seg, F32_LE, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(seg.getAtIndex(I16_LE, i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((seg.getAtIndex(I16_LE, i) & 0xffff) << 16);
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) seg.getAtIndex(F64_LE, i);
                }
            }
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = seg.getAtIndex(I64_LE, i);
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = seg.getAtIndex(I32_LE, i);
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = seg.getAtIndex(I16_LE, i);
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = seg.get(ValueLayout.JAVA_BYTE, i);
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = seg.get(ValueLayout.JAVA_BYTE, i) & 0xff;
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}

package dev.vega4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates valid safetensors files (bit flips, truncation, header length edits, structural header JSON edits) and
 * checks that the reader only ever answers with a {@link SafetensorsException}: no other exception, no crash, no huge
 * allocation. Seeded, so a failure reproduces; each failure names the mutation.
 */
class SafetensorsFuzzTest {
    private static final int ITERATIONS = 8_000;
    /** Every n-th mutation goes through a real file and mmap; the others use the same checks on a heap segment. */
    private static final int FILE_EVERY = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @TempDir
    Path dir;

    private enum Mutation { BIT_FLIPS, BYTE_SETS, TRUNCATE, APPEND, HEADER_LENGTH, JSON_EDIT, JSON_TEXT_EDIT, DATA_SIZE }

    @Test
    void mutatedFilesOnlyEverGiveSafetensorsExceptions() throws IOException {
        Random rnd = new Random(20240517);
        List<byte[]> seeds = seedFiles();
        Path p = dir.resolve("fuzz.safetensors");
        Map<Mutation, int[]> stats = new EnumMap<>(Mutation.class); // [accepted, rejected]
        List<String> failures = new ArrayList<>();
        for (int it = 0; it < ITERATIONS && failures.size() < 5; it++) {
            byte[] base = seeds.get(rnd.nextInt(seeds.size()));
            Mutation m = Mutation.values()[rnd.nextInt(Mutation.values().length)];
            StringBuilder what = new StringBuilder(m.name());
            byte[] mutated = mutate(base, m, rnd, what);
            try {
                if (it % FILE_EVERY == 0) {
                    Files.write(p, mutated);
                    readEverything(SafetensorsFile.open(p));
                } else {
                    readEverything(SafetensorsFile.fromSegment(p, MemorySegment.ofArray(mutated), null));
                }
                stats.computeIfAbsent(m, k -> new int[2])[0]++;
            } catch (SafetensorsException e) {
                assertThat(e.getMessage()).isNotBlank();
                stats.computeIfAbsent(m, k -> new int[2])[1]++;
            } catch (Throwable t) { // anything else is a bug in the reader
                failures.add("iteration " + it + " " + what + ": " + t);
            }
        }
        StringBuilder report = new StringBuilder("safetensors fuzz: " + ITERATIONS + " mutated files ("
                + (ITERATIONS / FILE_EVERY) + " through mmap)");
        stats.forEach((m, s) -> report.append(String.format("%n  %-15s accepted %5d  rejected %5d", m, s[0], s[1])));
        System.out.println(report);
        assertThat(failures).as("non-typed failures").isEmpty();
        assertThat(stats.values().stream().mapToInt(s -> s[1]).sum()).isGreaterThan(ITERATIONS / 2);
    }

    @Test
    void directedCornerCases() {
        // A zero dimension makes a huge other dimension legal in the header, but no Tensor can have it.
        SafetensorsFile f = image("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,4294967296],\"data_offsets\":[0,0]}}", 0);
        assertThat(f.info("a").numel()).isZero();
        assertThatThrownBy(() -> f.load("a"))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("dimension");
        assertThatThrownBy(() -> image("{} x", 0))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("JSON");
        byte[] badUtf8 = assemble(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}, new byte[0]);
        assertThatThrownBy(() -> SafetensorsFile.fromSegment(Path.of("x"),
                MemorySegment.ofArray(badUtf8), null)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("UTF-8");
        assertThat(image("{}    ", 0).tensors()).isEmpty(); // space padding is what writers emit
    }

    private static SafetensorsFile image(String header, int dataBytes) {
        byte[] file = assemble(header.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]);
        return SafetensorsFile.fromSegment(Path.of("image"), MemorySegment.ofArray(file), null);
    }

    /** Opens the file and touches everything a model loader would. */
    private static void readEverything(SafetensorsFile file) {
        try (SafetensorsFile f = file) {
            f.metadata().forEach((k, v) -> {});
            for (String name : f.tensors().keySet()) {
                TensorInfo info = f.info(name);
                f.segment(name);
                Tensor t = f.load(name);
                if (t.numel() != info.numel()) {
                    throw new AssertionError("numel mismatch for " + name);
                }
            }
        }
    }

    // ---- seed files: every dtype, scalars, empty tensors, metadata ----

    private List<byte[]> seedFiles() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("b.weight", Tensor.of(new float[] {-1.5f}, 1));
        t.put("s", Tensor.scalar(7f));
        t.put("e", Tensor.of(new float[0], 0));
        for (DType d : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            Path f = dir.resolve("seed-" + d + ".safetensors");
            SafetensorsWriter.write(f, t, Map.of("format", "pt"), d);
            seeds.add(Files.readAllBytes(f));
        }
        // Hand-made files with the other dtypes (the writer only emits floats).
        String[] dtypes = {"F64", "I64", "I32", "I16", "I8", "U8", "BOOL"};
        int[] sizes = {8, 8, 4, 2, 1, 1, 1};
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"k\":\"v\"}");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long off = 0;
        for (int i = 0; i < dtypes.length; i++) {
            int n = 3;
            h.append(",\"t").append(i).append("\":{\"dtype\":\"").append(dtypes[i]).append("\",\"shape\":[").append(n)
                    .append("],\"data_offsets\":[").append(off).append(",").append(off + (long) n * sizes[i])
                    .append("]}");
            for (int k = 0; k < n * sizes[i]; k++) {
                data.write(k * 37 + i);
            }
            off += (long) n * sizes[i];
        }
        h.append("}");
        seeds.add(assemble(h.toString().getBytes(StandardCharsets.UTF_8), data.toByteArray()));
        seeds.add(assemble("{}".getBytes(StandardCharsets.UTF_8), new byte[0]));
        return seeds;
    }

    private static byte[] assemble(byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        return b.array();
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    // ---- mutations ----

    private static byte[] mutate(byte[] base, Mutation m, Random rnd, StringBuilder what) throws IOException {
        byte[] b = base.clone();
        switch (m) {
            case BIT_FLIPS -> {
                int n = 1 + rnd.nextInt(8);
                for (int i = 0; i < n; i++) {
                    int pos = rnd.nextInt(b.length);
                    b[pos] ^= (byte) (1 << rnd.nextInt(8));
                    what.append(' ').append(pos);
                }
            }
            case BYTE_SETS -> {
                byte[] interesting = "{}[]\",:-0123456789eE.\\ \u0000".getBytes(StandardCharsets.ISO_8859_1);
                int n = 1 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    int pos = 8 + rnd.nextInt(Math.max(1, b.length - 8));
                    if (pos < b.length) {
                        b[pos] = rnd.nextBoolean() ? interesting[rnd.nextInt(interesting.length)] : (byte) rnd.nextInt();
                        what.append(' ').append(pos);
                    }
                }
            }
            case TRUNCATE -> {
                int len = rnd.nextInt(b.length);
                what.append(" to ").append(len);
                b = Arrays.copyOf(b, len);
            }
            case APPEND -> {
                int extra = 1 + rnd.nextInt(64);
                b = Arrays.copyOf(b, b.length + extra);
                for (int i = base.length; i < b.length; i++) {
                    b[i] = rnd.nextInt(3) == 0 ? (byte) ' ' : (byte) rnd.nextInt();
                }
                what.append(' ').append(extra);
            }
            case HEADER_LENGTH -> {
                long hl = headerLength(b);
                long[] choices = {0, 1, 2, 7, -1, -8, Long.MIN_VALUE, Long.MAX_VALUE, hl - 1, hl + 1, hl + 8, hl - 8,
                        b.length - 8, b.length - 7, b.length, 1L << 32, (1L << 32) + hl, SafetensorsFile.MAX_HEADER_BYTES + 1,
                        hl + rnd.nextInt(64) - 32, rnd.nextLong()};
                long v = choices[rnd.nextInt(choices.length)];
                ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
                what.append(' ').append(v);
            }
            case JSON_EDIT -> b = jsonEdit(b, rnd, what);
            case JSON_TEXT_EDIT -> b = jsonTextEdit(b, rnd, what);
            case DATA_SIZE -> {
                int hl = (int) headerLength(b);
                int dataLen = b.length - 8 - hl;
                int delta = rnd.nextInt(17) - 8;
                int newLen = Math.max(0, dataLen + delta);
                byte[] header = Arrays.copyOfRange(b, 8, 8 + hl);
                byte[] data = Arrays.copyOf(Arrays.copyOfRange(b, 8 + hl, b.length), newLen);
                b = assemble(header, data);
                what.append(' ').append(delta);
            }
        }
        return b;
    }

    /** Structural edits of the parsed header, re-assembled with a consistent header length. */
    private static byte[] jsonEdit(byte[] b, Random rnd, StringBuilder what) throws IOException {
        int hl = (int) headerLength(b);
        byte[] data = Arrays.copyOfRange(b, 8 + hl, b.length);
        JsonNode root = JSON.readTree(new String(b, 8, hl, StandardCharsets.UTF_8));
        ObjectNode obj = (ObjectNode) root;
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(n -> {
            if (!n.equals("__metadata__")) {
                names.add(n);
            }
        });
        String target = names.isEmpty() ? "x" : names.get(rnd.nextInt(names.size()));
        ObjectNode entry = obj.get(target) instanceof ObjectNode o ? o : obj.putObject(target);
        int op = rnd.nextInt(14);
        what.append(" op").append(op).append(' ').append(target);
        JsonNode weird = weirdValue(rnd);
        switch (op) {
            case 0 -> { } // root not an object: handled below
            case 1 -> entry.set("dtype", rnd.nextBoolean() ? weird
                    : NODES.textNode(new String[] {"f32", "F8_E4M3", "U16", "C64", "", "F32 ", "BF16", "U64"}[rnd.nextInt(8)]));
            case 2 -> entry.set("shape", weird);
            case 3 -> {
                ArrayNode s = entry.putArray("shape");
                int dims = rnd.nextInt(4);
                for (int i = 0; i < dims; i++) {
                    s.add(new long[] {0, 1, 2, 3, -1, Integer.MAX_VALUE, 1L << 31, 1L << 40, Long.MAX_VALUE}[rnd.nextInt(9)]);
                }
            }
            case 4 -> entry.set("data_offsets", weird);
            case 5 -> {
                ArrayNode o = entry.putArray("data_offsets");
                long[] v = {0, 1, 2, 4, 8, 12, 24, -1, -8, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
                o.add(v[rnd.nextInt(v.length)]);
                o.add(v[rnd.nextInt(v.length)]);
            }
            case 6 -> {
                // overlap: copy another tensor's offsets
                String other = names.isEmpty() ? target : names.get(rnd.nextInt(names.size()));
                if (obj.get(other) instanceof ObjectNode o && o.has("data_offsets")) {
                    entry.set("data_offsets", o.get("data_offsets").deepCopy());
                }
            }
            case 7 -> entry.remove(List.of("dtype", "shape", "data_offsets").get(rnd.nextInt(3)));
            case 8 -> obj.set(target, weird); // entry not an object
            case 9 -> obj.set("__metadata__", rnd.nextBoolean() ? weird : NODES.objectNode().set("k", weird));
            case 10 -> entry.put("extra_key", 1);
            case 11 -> obj.putObject("new").put("dtype", "F32").set("shape", NODES.arrayNode().add(1)); // no offsets
            case 12 -> {
                ObjectNode n = obj.putObject("tail");
                n.put("dtype", "U8");
                n.putArray("shape").add(rnd.nextInt(3));
                n.putArray("data_offsets").add(data.length).add(data.length + rnd.nextInt(3));
            }
            default -> obj.remove(target);
        }
        String text = op == 0 ? weird.toString() : obj.toString();
        return assemble(text.getBytes(StandardCharsets.UTF_8), data);
    }

    /** Text-level header edits that a tree cannot express: duplicates, trailing garbage, bad UTF-8, nesting. */
    private static byte[] jsonTextEdit(byte[] b, Random rnd, StringBuilder what) {
        int hl = (int) headerLength(b);
        byte[] data = Arrays.copyOfRange(b, 8 + hl, b.length);
        String h = new String(b, 8, hl, StandardCharsets.UTF_8).strip();
        int op = rnd.nextInt(9);
        what.append(" op").append(op);
        byte[] header;
        switch (op) {
            case 0 -> { // duplicate the first entry
                int close = h.indexOf('}');
                String first = h.substring(1, close + 1);
                header = ("{" + first + "," + h.substring(1)).getBytes(StandardCharsets.UTF_8);
            }
            case 1 -> header = (h + " garbage").getBytes(StandardCharsets.UTF_8);
            case 2 -> header = (h + "{}").getBytes(StandardCharsets.UTF_8);
            case 3 -> { // invalid UTF-8 inside a string
                byte[] t = h.getBytes(StandardCharsets.UTF_8);
                int q = h.indexOf('"') + 1;
                header = t.clone();
                header[q] = (byte) (0x80 | rnd.nextInt(0x40));
            }
            case 4 -> header = ("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8);
            case 5 -> header = ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1" + "0".repeat(400)
                    + "],\"data_offsets\":[0,4]}}").getBytes(StandardCharsets.UTF_8);
            case 6 -> header = ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5e300],\"data_offsets\":[0,4]}}")
                    .getBytes(StandardCharsets.UTF_8);
            case 7 -> header = (" " + h).getBytes(StandardCharsets.UTF_8);
            default -> header = h.substring(0, rnd.nextInt(h.length())).getBytes(StandardCharsets.UTF_8);
        }
        return assemble(header, data);
    }

    private static JsonNode weirdValue(Random rnd) {
        return switch (rnd.nextInt(9)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.textNode("F32");
            case 2 -> NODES.numberNode(rnd.nextInt(100) - 50);
            case 3 -> NODES.numberNode(1.5);
            case 4 -> NODES.booleanNode(true);
            case 5 -> NODES.arrayNode().add("x").add(1);
            case 6 -> NODES.objectNode().put("x", 1);
            case 7 -> NODES.arrayNode().add(NODES.arrayNode().add(1)).add(2);
            default -> NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
        };
    }
}

package dev.vega4j.tensor;

import dev.vega4j.tensor.kernels.MicroKernel;
import dev.vega4j.tensor.kernels.MicroKernels;
import dev.vega4j.tensor.kernels.WinogradTransform;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code vega.*} switches: JVM system properties ({@code -Dvega.threads=4}; {@code ./vega} passes them through
 * {@code VEGA_JAVA_OPTS}) that change how the engine runs, never what the API means. This is the only place that reads
 * them: all at once, at the first {@link #get()}, checked, and fixed for the life of the process, so a bad value fails
 * with one {@link InvalidSwitchException} naming the switch and the values it takes (not deep inside a static
 * initializer, and not half-way through a run). A blank value ({@code -Dvega.packCache=}) means the default.
 * DEVELOPERS.md has the same list as a table.
 *
 * @param ops            {@value #OPS}: which {@link TensorOps} {@link Ops#get()} gives; default {@code fast}
 * @param threads        {@value #THREADS}: worker threads of the default {@link VectorOps}; default the number of
 *                       available processors
 * @param packCache      {@value #PACK_CACHE}: keep packed weight panels per weight (memory for speed; must stay off
 *                       while weights change in place); default false
 * @param winograd       {@value #WINOGRAD}: the Winograd transform for 3x3 stride-1 convolutions, null for none
 *                       (implicit GEMM); {@code true} (default) {@link WinogradTransform#DEFAULT}, {@code false}, {@code 2},
 *                       {@code 4} or {@code 4:p1,p2,p3,p4,p5} (F(4x4,3x3) from five finite points, for accuracy
 *                       experiments)
 * @param weightsFp32    {@value #WEIGHTS_FP32}: load every weight onto the heap as float32 instead of leaving layer
 *                       weights in the memory-mapped file; default false
 * @param mapMinElements {@value #MAP_MIN_ELEMENTS}: the smallest layer weight (in elements) that stays mapped; default
 *                       {@value #DEFAULT_MAP_MIN_ELEMENTS} (tests use 1 to map every layer of a tiny model)
 * @param golden         {@value #GOLDEN}: the golden reference data folder, used when {@code $VEGA_GOLDEN} is unset
 * @param repoRoot       {@value #REPO_ROOT}: the repository root ({@code ./vega} and the Maven tests set it), against
 *                       which the default golden folder {@code ../shared/golden} is found
 * @param kernels        {@value #KERNELS}: the GEMM register tile, {@code auto} (default: measured once per CPU and
 *                       JDK, then cached) or a shape such as {@code 12x2} ({@link MicroKernels#CANDIDATES}); results
 *                       are the same bits whatever the shape
 * @param cacheDir       {@value #CACHE_DIR}: where per-machine measurements are kept; default
 *                       {@code $XDG_CACHE_HOME/vega4j}, else {@code ~/.cache/vega4j}
 * @param jitWarmup      {@value #JIT_WARMUP}: compile the kernels in the background while a model loads
 *                       ({@link JitWarmup}); default true
 * @param gemmBlocking   {@value #GEMM_BLOCKING}: the GEMM cache blocking, {@code auto} (default: measured once per
 *                       CPU, JDK and tile, then cached) or {@code <kc>x<mc>} (K block, rows of A per block, rounded
 *                       up to whole register tiles), e.g. {@code 512x96}; results are the same bits whatever it is
 */
public record Switches(OpsImplementation ops, int threads, boolean packCache, WinogradTransform winograd,
        boolean weightsFp32, long mapMinElements, Optional<Path> golden, Optional<Path> repoRoot,
        Optional<String> kernels, Optional<Path> cacheDir, boolean jitWarmup, Optional<String> gemmBlocking) {

    public static final String OPS = "vega.ops";
    public static final String THREADS = "vega.threads";
    public static final String PACK_CACHE = "vega.packCache";
    public static final String WINOGRAD = "vega.winograd";
    public static final String WEIGHTS_FP32 = "vega.weights.fp32";
    public static final String MAP_MIN_ELEMENTS = "vega.weights.mapMinElements";
    public static final String GOLDEN = "vega.golden";
    public static final String REPO_ROOT = "vega.repoRoot";
    public static final String KERNELS = "vega.kernels";
    public static final String CACHE_DIR = "vega.cacheDir";
    public static final String JIT_WARMUP = "vega.jitWarmup";
    public static final String GEMM_BLOCKING = "vega.gemmBlocking";
    /** Every switch, in the order of the record's fields. */
    public static final List<String> NAMES = List.of(OPS, THREADS, PACK_CACHE, WINOGRAD, WEIGHTS_FP32,
            MAP_MIN_ELEMENTS, GOLDEN, REPO_ROOT, KERNELS, CACHE_DIR, JIT_WARMUP, GEMM_BLOCKING);

    /** Below this many elements a layer weight is loaded onto the heap (the saving would be noise). */
    public static final long DEFAULT_MAP_MIN_ELEMENTS = 4096;

    /** The values of {@value #OPS}. */
    public enum OpsImplementation {
        /** {@link VectorOps}, the Vector API implementation (falls back to the reference when it cannot load). */
        FAST,
        /** {@link ReferenceOps}, the plain-Java oracle. */
        REFERENCE;

        /** The switch's spelling ({@code fast}, {@code reference}). */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A {@code vega.*} switch with a value it does not take; the message names both and the accepted values. */
    public static final class InvalidSwitchException extends IllegalArgumentException {
        InvalidSwitchException(String name, String value, String expected) {
            super("-D" + name + "=" + value + " is not a valid value: " + name + " takes " + expected);
        }

        InvalidSwitchException(String name, String value, String expected, Throwable cause) {
            super("-D" + name + "=" + value + " is not a valid value: " + name + " takes " + expected + " ("
                    + cause.getMessage() + ")", cause);
        }
    }

    private static volatile Switches current;
    /** The raw values {@link #current} was parsed from (what {@link #withOverrides} starts from). */
    private static Map<String, String> currentValues;

    /** The switches of this process, read from the system properties at the first call. */
    public static Switches get() {
        Switches s = current;
        if (s == null) {
            synchronized (Switches.class) {
                if (current == null) {
                    Map<String, String> values = systemProperties();
                    current = parse(values); // a bad value throws here, and again at the next call
                    currentValues = values;
                }
                s = current;
            }
        }
        return s;
    }

    /**
     * For tests: runs {@code body} with some switches set to other values (raw, as on the command line; checked like
     * them), the rest as they are, and restores them afterwards. Objects that already copied a switch (the process-wide
     * {@link Ops#get()}) keep what they copied, so this suits the switches read while loading (the weight residency).
     * Process-wide, not per thread: tests using it must not run in parallel with others depending on those switches.
     */
    public static <T> T withOverrides(Map<String, String> values, Supplier<T> body) {
        get();
        Switches before;
        Map<String, String> beforeValues;
        synchronized (Switches.class) {
            before = current;
            beforeValues = currentValues;
            Map<String, String> merged = new LinkedHashMap<>(beforeValues);
            merged.putAll(values);
            current = parse(merged);
            currentValues = merged;
        }
        try {
            return body.get();
        } finally {
            synchronized (Switches.class) {
                current = before;
                currentValues = beforeValues;
            }
        }
    }

    /** The switches the given raw values (name to value; absent or blank: the default) describe. */
    public static Switches parse(Map<String, String> values) {
        return new Switches(
                parseOps(value(values, OPS)),
                parseThreads(value(values, THREADS)),
                parseBoolean(PACK_CACHE, value(values, PACK_CACHE), false),
                parseWinograd(value(values, WINOGRAD)),
                parseBoolean(WEIGHTS_FP32, value(values, WEIGHTS_FP32), false),
                parseMapMinElements(value(values, MAP_MIN_ELEMENTS)),
                parsePath(GOLDEN, value(values, GOLDEN)),
                parsePath(REPO_ROOT, value(values, REPO_ROOT)),
                parseKernels(value(values, KERNELS)),
                parsePath(CACHE_DIR, value(values, CACHE_DIR)),
                parseBoolean(JIT_WARMUP, value(values, JIT_WARMUP), true),
                parseGemmBlocking(value(values, GEMM_BLOCKING)));
    }

    /** Empty for {@code auto} (measure), else a candidate's shape. */
    private static Optional<String> parseKernels(String v) {
        if (v == null || v.equalsIgnoreCase("auto")) {
            return Optional.empty();
        }
        List<String> shapes = MicroKernels.CANDIDATES.stream().map(MicroKernel::shape).toList();
        if (!shapes.contains(v)) {
            throw new InvalidSwitchException(KERNELS, v, "auto (default) or one of " + String.join(", ", shapes));
        }
        return Optional.of(v);
    }

    /** Empty for {@code auto} (measure), else {@code <kc>x<mc>} with both in range (mc is checked against the tile later). */
    private static Optional<String> parseGemmBlocking(String v) {
        if (v == null || v.equalsIgnoreCase("auto")) {
            return Optional.empty();
        }
        if (!v.matches("\\d{1,4}x\\d{1,4}") || Integer.parseInt(v.substring(0, v.indexOf('x'))) < 1
                || Integer.parseInt(v.substring(v.indexOf('x') + 1)) < 1) {
            throw new InvalidSwitchException(GEMM_BLOCKING, v,
                    "auto (default) or <kc>x<mc> with positive sizes below 10000, e.g. 512x96");
        }
        return Optional.of(v);
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : NAMES) {
            String v = System.getProperty(name);
            if (v != null) {
                values.put(name, v);
            }
        }
        return values;
    }

    /** The trimmed value, or null when absent or blank. */
    private static String value(Map<String, String> values, String name) {
        String v = values.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static OpsImplementation parseOps(String v) {
        if (v == null) {
            return OpsImplementation.FAST;
        }
        for (OpsImplementation o : OpsImplementation.values()) {
            if (o.id().equals(v)) {
                return o;
            }
        }
        throw new InvalidSwitchException(OPS, v, "fast or reference");
    }

    private static int parseThreads(String v) {
        if (v == null) {
            return Math.max(1, Runtime.getRuntime().availableProcessors());
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSwitchException(THREADS, v, "a positive integer (default: the number of processors)");
    }

    private static boolean parseBoolean(String name, String v, boolean dflt) {
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidSwitchException(name, v, "true or false (default " + dflt + ")");
        };
    }

    private static final String WINOGRAD_VALUES = "true (default), false, 2, 4 or 4:<five distinct points, comma"
            + " separated>";

    private static WinogradTransform parseWinograd(String v) {
        if (v == null) {
            return WinogradTransform.DEFAULT;
        }
        if (v.startsWith("4:")) {
            try {
                double[] points = Arrays.stream(v.substring(2).split(",")).map(String::trim)
                        .mapToDouble(Double::parseDouble).toArray();
                return WinogradTransform.of(4, points);
            } catch (IllegalArgumentException e) { // NumberFormatException included
                throw new InvalidSwitchException(WINOGRAD, v, WINOGRAD_VALUES, e);
            }
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> WinogradTransform.DEFAULT;
            case "false" -> null;
            case "2" -> WinogradTransform.F2;
            case "4" -> WinogradTransform.F4;
            default -> throw new InvalidSwitchException(WINOGRAD, v, WINOGRAD_VALUES);
        };
    }

    private static long parseMapMinElements(String v) {
        if (v == null) {
            return DEFAULT_MAP_MIN_ELEMENTS;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSwitchException(MAP_MIN_ELEMENTS, v,
                "a number of elements >= 0 (default " + DEFAULT_MAP_MIN_ELEMENTS + ")");
    }

    private static Optional<Path> parsePath(String name, String v) {
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(v));
        } catch (InvalidPathException e) {
            throw new InvalidSwitchException(name, v, "a folder path", e);
        }
    }
}

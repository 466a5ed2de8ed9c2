package dev.vega4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.lora.LoraAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LoRA adapters a server offers per request, chosen by the operator ({@code vega serve --lora-dir DIR}, {@code
 * --lora NAME=ID_OR_PATH}): a request names one of them and never reaches the file system itself, so no request can
 * read an arbitrary path. A folder contributes every {@code *.safetensors} below it (name = file stem, as in
 * AUTOMATIC1111's {@code models/Lora}); {@link #refresh()} re-reads the folders.
 *
 * <p>Loaded adapters are kept in a small least-recently-used cache (a real SDXL LoRA is tens to hundreds of MB as
 * float32), so a popular adapter is read once. The file's AUTOMATIC1111 short hash (first 12 hex digits of its
 * sha256, what A1111 writes as {@code Lora hashes}) and its safetensors metadata are computed on first use and kept.
 */
public final class LoraLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(LoraLibrary.class);
    /** Characters a name cannot hold: path separators, and the separators of {@code name:scale} / {@code <lora:..>}. */
    private static final Pattern BAD_NAME = Pattern.compile("[/\\\\:<>\\x00-\\x1f]");
    private static final int MAX_DEPTH = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One offered adapter.
     *
     * @param name    what requests use
     * @param file    the adapter file (never shown to clients)
     * @param display the path shown in listings: relative to its folder, or the file name
     */
    public record Entry(String name, Path file, String display) {}

    private final List<Path> dirs;
    private final Map<String, Path> named;
    private final int cacheSize;
    private volatile Map<String, Entry> entries = Map.of();
    private final LinkedHashMap<Path, LoraAdapter> cache = new LinkedHashMap<>(16, 0.75f, true);
    /** Counts {@link #refresh()}es (guarded by {@link #cache}): a file read before one is not cached after it. */
    private long generation;
    private final Map<Path, String> hashes = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Path, Map<String, Object>> metadata = new java.util.concurrent.ConcurrentHashMap<>();

    private LoraLibrary(List<Path> dirs, Map<String, Path> named, int cacheSize) {
        this.dirs = List.copyOf(dirs);
        this.named = Map.copyOf(named);
        this.cacheSize = Math.max(1, cacheSize);
        refresh();
    }

    /** A library offering nothing: every request naming a LoRA gets a 400. */
    public static LoraLibrary empty() {
        return new LoraLibrary(List.of(), Map.of(), 1);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code name} can name an adapter (no path separators, no {@code :<>}, not blank or dot-only). */
    public static boolean validName(String name) {
        return name != null && !name.isBlank() && !BAD_NAME.matcher(name).find() && !name.strip().matches("\\.+")
                && name.equals(name.strip());
    }

    /**
     * Re-reads the folders (A1111's {@code POST /sdapi/v1/refresh-loras}) and forgets what was cached; named adapters
     * stay.
     */
    public synchronized void refresh() {
        Map<String, Entry> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        named.forEach((name, file) -> out.put(name, new Entry(name, file, file.getFileName().toString())));
        for (Path dir : dirs) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(dir, MAX_DEPTH)) {
                files = s.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT)
                        .endsWith(".safetensors") && Files.isRegularFile(p)).sorted().toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                LOG.warn("cannot list LoRA folder {}: {}", dir, e.getMessage());
                continue;
            }
            for (Path f : files) {
                String fileName = f.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - ".safetensors".length());
                if (!validName(name)) {
                    LOG.warn("LoRA file {} skipped: its name cannot be used in requests (no ':', '<', '>')", f);
                    continue;
                }
                if (out.containsKey(name)) {
                    LOG.warn("LoRA file {} skipped: the name '{}' is already taken by {}", f, name,
                            out.get(name).file());
                    continue;
                }
                out.put(name, new Entry(name, f, dir.relativize(f).toString().replace('\\', '/')));
            }
        }
        // sorted case-insensitively, but looked up exactly (see find)
        Map<String, Entry> exact = new LinkedHashMap<>();
        out.values().forEach(e -> exact.put(e.name(), e));
        entries = java.util.Collections.unmodifiableMap(exact);
        // a file replaced under the same name must be read again (a running job keeps the adapter it holds)
        synchronized (cache) {
            cache.clear();
            generation++;
        }
        hashes.clear();
        metadata.clear();
    }

    /** Every offered adapter, sorted by name. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    /**
     * The adapter a request names: exactly, else by its alias (the {@code ss_output_name} of its metadata, which A1111
     * also accepts). Unknown names and anything that looks like a path are a 400 naming {@code field}.
     */
    Entry find(String field, String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest(field + ": the LoRA name is empty");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.strip().matches("\\.+")
                || name.indexOf('\0') >= 0) {
            throw ApiException.badRequest(field + ": '" + abbreviate(name) + "' is not a LoRA name: requests name one"
                    + " of the adapters the server offers (GET /sdapi/v1/loras), never a path");
        }
        Map<String, Entry> all = entries;
        Entry e = all.get(name);
        if (e == null) {
            e = all.get(name.strip());
        }
        if (e == null) {
            List<Entry> byAlias = all.values().stream().filter(x -> name.strip().equals(alias(x))).toList();
            if (byAlias.size() == 1) {
                e = byAlias.getFirst();
            }
        }
        if (e == null) {
            throw ApiException.badRequest(field + ": unknown LoRA '" + abbreviate(name) + "'; " + (all.isEmpty()
                    ? "this server offers none (vega serve --lora-dir DIR)"
                    : "available: " + String.join(", ", all.keySet())));
        }
        return e;
    }

    /** The adapter, from the cache or read now. A file that is no LoRA is a {@link dev.vega4j.lora.LoraException}. */
    LoraAdapter adapter(Entry e) {
        long readIn;
        synchronized (cache) {
            LoraAdapter a = cache.get(e.file());
            if (a != null) {
                return a;
            }
            readIn = generation;
        }
        // read outside the lock: a large file must not block lookups of cached ones
        LoraAdapter loaded = LoraAdapter.load(e.file());
        synchronized (cache) {
            if (readIn != generation) {
                return loaded; // a refresh came meanwhile: the file may have been replaced, keep this read uncached
            }
            LoraAdapter a = cache.putIfAbsent(e.file(), loaded);
            while (cache.size() > cacheSize) {
                cache.remove(cache.keySet().iterator().next());
            }
            return a != null ? a : loaded;
        }
    }

    /** Number of adapters currently held in memory (tests). */
    int cached() {
        synchronized (cache) {
            return cache.size();
        }
    }

    /** AUTOMATIC1111's short hash of the file: the first 12 hex digits of its sha256. */
    String shortHash(Entry e) {
        return hashes.computeIfAbsent(e.file(), LoraLibrary::sha256Prefix);
    }

    private static String sha256Prefix(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (IOException e) {
            throw new VegaException("cannot read LoRA file " + file.getFileName() + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The safetensors {@code __metadata__}, with JSON-looking values (kohya's {@code ss_tag_frequency} ...) parsed,
     * as A1111's {@code read_metadata_from_safetensors} does. Unreadable headers give an empty map.
     */
    Map<String, Object> metadata(Entry e) {
        return metadata.computeIfAbsent(e.file(), f -> {
            Map<String, Object> out = new TreeMap<>();
            try (SafetensorsFile sf = SafetensorsFile.open(f)) {
                sf.metadata().forEach((k, v) -> out.put(k, parsed(v)));
            } catch (RuntimeException ex) {
                LOG.warn("cannot read the metadata of LoRA {}: {}", f, ex.getMessage());
            }
            return java.util.Collections.unmodifiableMap(out);
        });
    }

    private static Object parsed(String v) {
        if (v != null && v.startsWith("{")) {
            try {
                return JSON.readTree(v);
            } catch (IOException ignored) {
                // not JSON after all: keep the string
            }
        }
        return v;
    }

    /** A1111's alias: the metadata's {@code ss_output_name}, else the name. */
    String alias(Entry e) {
        Object o = metadata(e).get("ss_output_name");
        return o instanceof String s && !s.isBlank() ? s : e.name();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    /** Folders and named files for {@code vega serve}. */
    public static final class Builder {
        private final List<Path> dirs = new ArrayList<>();
        private final Map<String, Path> named = new LinkedHashMap<>();
        private int cacheSize = 4;

        /** Every {@code *.safetensors} under {@code dir} (and its sub-folders), named by its file stem. */
        public Builder addDir(Path dir) {
            if (!Files.isDirectory(dir)) {
                throw new VegaException("LoRA folder " + dir + " does not exist or is not a folder");
            }
            dirs.add(dir.toAbsolutePath().normalize());
            return this;
        }

        /** One adapter file under a name of the operator's choice. */
        public Builder add(String name, Path file) {
            if (!validName(name)) {
                throw new VegaException("LoRA name '" + name + "' cannot be used in requests: no '/', '\\', ':',"
                        + " '<', '>', and not empty");
            }
            if (!Files.isRegularFile(file)) {
                throw new VegaException("LoRA '" + name + "': " + file + " is not a file");
            }
            if (named.put(name, file.toAbsolutePath().normalize()) != null) {
                throw new VegaException("two LoRA adapters are named '" + name + "'");
            }
            return this;
        }

        /** Adapters kept loaded at once (least recently used ones are dropped; default 4). */
        public Builder cacheSize(int n) {
            if (n < 1) {
                throw new VegaException("the LoRA cache must hold at least 1 adapter, got " + n);
            }
            cacheSize = n;
            return this;
        }

        public LoraLibrary build() {
            return new LoraLibrary(dirs, named, cacheSize);
        }
    }
}

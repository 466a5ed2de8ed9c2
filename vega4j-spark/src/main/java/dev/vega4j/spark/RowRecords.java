package dev.vega4j.spark;

import dev.vega4j.VegaException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * The record of a finished row, {@code OUT/.vega-batch/rows/<name>.properties}: its results and the fingerprint of
 * what produced them. Written after the row's files, to a temporary name and renamed, so a record exists only for a
 * row whose every output is complete; a re-run (or a retried task) skips a row whose record matches and whose files
 * are all there.
 */
final class RowRecords {
    private final Path dir;

    RowRecords(Path out) {
        this.dir = out.resolve(".vega-batch").resolve("rows");
    }

    /** The stored results of {@code name}, if they were made by {@code fingerprint} and all their files exist. */
    Optional<List<BatchResult>> done(String name, String fingerprint, Path out) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file(name), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // unreadable: redo the row
        }
        if (!fingerprint.equals(p.getProperty("fingerprint"))) {
            return Optional.empty(); // the row, the model or the format changed under the same name
        }
        List<BatchResult> results = BatchResult.load(p);
        for (BatchResult r : results) {
            if (r.file() == null || !Files.isRegularFile(out.resolve(r.file()))) {
                return Optional.empty();
            }
        }
        return results.isEmpty() ? Optional.empty() : Optional.of(results);
    }

    void write(String name, String fingerprint, List<BatchResult> results) {
        Properties p = new Properties();
        p.setProperty("fingerprint", fingerprint);
        BatchResult.store(results, p);
        StringWriter text = new StringWriter();
        try {
            p.store(text, null);
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
                Files.move(tmp, file(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new VegaException("cannot write the record of row " + name + " in " + dir + ": " + e.getMessage(),
                    e);
        }
    }

    private Path file(String name) {
        return dir.resolve(name + ".properties");
    }
}

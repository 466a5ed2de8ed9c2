package dev.vega4j.train.distill;

import dev.vega4j.VegaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Training examples: a caption and optionally an image. A text file gives prompts alone (one per line, blank lines
 * and {@code #} comments skipped); a folder gives image–caption pairs ({@code x.png|jpg} with {@code x.txt}).
 */
public record TrainingData(List<Example> examples) {
    public record Example(String caption, Path image) {}

    public static TrainingData load(Path p) {
        try {
            if (Files.isRegularFile(p)) {
                List<Example> ex = new ArrayList<>();
                for (String line : Files.readAllLines(p)) {
                    String s = line.strip();
                    if (!s.isEmpty() && !s.startsWith("#")) {
                        ex.add(new Example(s, null));
                    }
                }
                return nonEmpty(ex, p);
            }
            if (Files.isDirectory(p)) {
                List<Example> ex = new ArrayList<>();
                try (Stream<Path> files = Files.list(p)) {
                    for (Path f : files.sorted().toList()) {
                        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                        if (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg")) {
                            String base = f.getFileName().toString().replaceFirst("\\.[^.]+$", "");
                            Path cap = f.resolveSibling(base + ".txt");
                            if (!Files.isRegularFile(cap)) {
                                throw new VegaException(f + " has no caption file " + cap.getFileName());
                            }
                            ex.add(new Example(Files.readString(cap).strip(), f));
                        }
                    }
                }
                return nonEmpty(ex, p);
            }
        } catch (IOException e) {
            throw new VegaException(p + ": cannot read training data: " + e.getMessage(), e);
        }
        throw new VegaException("training data " + p + " does not exist (give a prompts .txt file or an image folder)");
    }

    private static TrainingData nonEmpty(List<Example> ex, Path p) {
        if (ex.isEmpty()) {
            throw new VegaException(p + ": no training examples");
        }
        return new TrainingData(List.copyOf(ex));
    }
}

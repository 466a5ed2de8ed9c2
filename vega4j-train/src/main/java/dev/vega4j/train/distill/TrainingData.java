package dev.vega4j.train.distill;

import dev.vega4j.VegaException;
import dev.vega4j.io.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Training examples: a caption and optionally an image or ready latents. A text file gives prompts alone (one per
 * line, blank lines and {@code #} comments skipped); a folder gives image–caption pairs ({@code x.png|jpg} with
 * {@code x.txt}) or teacher latents: {@code .safetensors} files with a tensor {@value #LATENTS} of shape (1, C, h, w)
 * and the prompt in their metadata ({@value #PROMPT}), as {@code vega batch --latents} writes them into
 * {@code OUT/latents/} (the batch's output folder itself is accepted too).
 */
public record TrainingData(List<Example> examples) {
    /** The tensor of a latents file. */
    public static final String LATENTS = "latents";
    /** The metadata key of a latents file's prompt. */
    public static final String PROMPT = "prompt";

    /**
     * One example: its caption, and its image or its clean latents file (both null: a prompt alone, whose latents
     * the teacher generates or random ones stand in for).
     */
    public record Example(String caption, Path image, Path latents) {
        public Example(String caption, Path image) {
            this(caption, image, null);
        }
    }

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
            if (Files.isDirectory(p.resolve(LATENTS)) && !hasImages(p)) {
                p = p.resolve(LATENTS); // a vega batch --latents output folder
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
                        } else if (n.endsWith(".safetensors")) {
                            ex.add(new Example(latentsPrompt(f), null, f));
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

    private static boolean hasImages(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)"));
        }
    }

    private static String latentsPrompt(Path f) {
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            String prompt = st.metadata().get(PROMPT);
            if (prompt == null || !st.contains(LATENTS)) {
                throw new VegaException(f + " is not a latents file: it needs a tensor '" + LATENTS
                        + "' and the prompt in its metadata ('" + PROMPT + "'), as vega batch --latents writes");
            }
            return prompt;
        }
    }

    private static TrainingData nonEmpty(List<Example> ex, Path p) {
        if (ex.isEmpty()) {
            throw new VegaException(p + ": no training examples");
        }
        return new TrainingData(List.copyOf(ex));
    }
}

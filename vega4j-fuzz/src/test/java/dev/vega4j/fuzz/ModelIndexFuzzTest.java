package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vega4j.VegaException;
import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.pipeline.folder.PipelineFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@code model_index.json} of a pipeline folder whose components are the golden tiny SDXL's configs (weights left
 * out: the folder is opened configs-only). Opening it and reading each component's config may only throw a
 * {@link VegaException}.
 */
class ModelIndexFuzzTest {
    private static Path dir;

    private static synchronized Path dir() throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("vega-fuzz-folder");
            Path src = Inputs.tinySdxl();
            try (Stream<Path> files = Files.walk(src)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path to = dir.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else if (p.toString().endsWith(".json") || p.toString().endsWith(".txt")) {
                        Files.copy(p, to);
                    }
                }
            }
        }
        return dir;
    }

    @BeforeAll
    static void setUp() throws Exception {
        dir();
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/json.dict")
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/config.dict")
    void open(byte[] input) throws IOException {
        Path d = dir();
        Files.write(d.resolve(PipelineFolder.MODEL_INDEX), input);
        Contract.check(VegaException.class, 16 * Contract.MB, () -> {
            PipelineFolder f = PipelineFolder.openConfigsOnly(d);
            for (String c : f.components().keySet()) {
                switch (c) {
                    case "unet" -> f.config(c, UNetConfig::fromJson);
                    case "vae" -> f.config(c, VaeConfig::fromJson);
                    case "text_encoder", "text_encoder_2" -> f.config(c, ClipTextConfig::fromJson);
                    case "scheduler" -> f.config(c);
                    default -> { }
                }
            }
        });
    }
}

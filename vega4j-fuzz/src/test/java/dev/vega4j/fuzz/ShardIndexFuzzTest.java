package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vega4j.VegaException;
import dev.vega4j.io.SafetensorsWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * A sharded checkpoint's {@code *.safetensors.index.json} next to one valid shard: opening it may only throw a
 * {@link VegaException}, and the shards it opens are files of the index's own folder (an index is data from the
 * Hub: it must not reach outside its snapshot).
 */
class ShardIndexFuzzTest {
    private static final String OUTSIDE = "canary_outside_the_snapshot";
    private static Path dir;

    private static synchronized Path dir() throws IOException {
        if (dir == null) {
            Path base = Files.createTempDirectory("vega-fuzz-index");
            // a canary outside the index's folder: a shard path that reaches it is a finding
            Files.write(base.resolve("outside.safetensors"), Seeds.safetensors(
                    "{\"" + OUTSIDE + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
            dir = Files.createDirectory(base.resolve("snapshot"));
            Files.write(dir.resolve("model-00001-of-00002.safetensors"), Seeds.tinySafetensors());
            Files.write(dir.resolve("model-00002-of-00002.safetensors"), Seeds.safetensors(
                    "{\"v\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]}}", new byte[6]));
        }
        return dir;
    }

    @BeforeAll
    static void setUp() throws Exception {
        dir();
    }

    @FuzzTest
    @DictionaryFile(resourcePath = "/dev/vega4j/fuzz/json.dict")
    void open(byte[] input) throws IOException {
        Path index = dir().resolve("diffusion_pytorch_model.safetensors.index.json");
        Files.write(index, input);
        Contract.check(VegaException.class, 16 * Contract.MB, () -> {
            try (SafetensorsWeights w = SafetensorsWeights.open(index)) {
                for (String name : w.allNames()) {
                    if (name.equals(OUTSIDE)) {
                        throw new AssertionError("the index opened a shard outside its folder");
                    }
                    w.info(name);
                }
            }
        });
    }
}

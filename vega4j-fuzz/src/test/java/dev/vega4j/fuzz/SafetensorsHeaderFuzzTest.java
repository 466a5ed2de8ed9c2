package dev.vega4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vega4j.io.SafetensorsException;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.io.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Safetensors files: the u64 header length, the JSON header (dtypes, shapes, data offsets) and the data section.
 * Opening and reading every tensor may only throw {@link SafetensorsException}; a tensor it opens has a byte range
 * inside the data section that matches its shape.
 */
class SafetensorsHeaderFuzzTest {
    @FuzzTest
    void openAndRead(byte[] file) throws Exception {
        Path tmp = Files.createTempFile("fuzz", ".safetensors");
        try {
            Files.write(tmp, file);
            Contract.check(SafetensorsException.class, 64 * Contract.MB, () -> {
                try (SafetensorsFile f = SafetensorsFile.open(tmp)) {
                    for (TensorInfo t : f.tensors().values()) {
                        if (t.begin() < 0 || t.end() < t.begin() || t.end() > file.length) {
                            throw new AssertionError("accepted an out-of-range tensor " + t);
                        }
                        if (t.numel() <= 1 << 16) {
                            f.load(t.name());
                        }
                    }
                }
            });
        } finally {
            Files.delete(tmp);
        }
    }
}

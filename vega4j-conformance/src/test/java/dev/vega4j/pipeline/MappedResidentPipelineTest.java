package dev.vega4j.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.io.DType;
import dev.vega4j.io.Fp16Folders;
import dev.vega4j.io.WeightResidency;
import dev.vega4j.models.layers.AdaptableLayer;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny golden Vega as it is (float32) and written as fp16 (and bf16), loaded twice: layer weights kept in the
 * mapped file (every one of them: the size threshold is lowered to 1) and everything loaded onto the heap as float32.
 * Text encoders, UNet and VAE must give bit-identical results, since reading float32 is a copy, fp16 → fp32 is exact,
 * and packing reads the same values.
 */
class MappedResidentPipelineTest {
    @TempDir
    Path tmp;

    private static Map<String, List<Tensor>> run(Path dir) {
        Map<String, List<Tensor>> trace = new LinkedHashMap<>();
        try (DiffusionPipeline p = PipelineLoader.load(dir)) {
            GenerationRequest req = GenerationRequest.builder("a photo of a cat").negativePrompt("blurry").steps(3)
                    .guidanceScale(5.0).seed(3).size(64, 64).build();
            p.run(req, 3, p.schedulers().create("Euler"), ProgressListener.NONE, new Cancellation(),
                    (k, v) -> trace.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(v.copy()));
            Map<String, AdaptableLayer> layers = ((UNetNoisePredictor) p.unet()).model().adaptableLayers();
            long mapped = layers.values().stream().filter(l -> l.weight().isMapped()).count();
            trace.put("#mapped-unet-layers", List.of(Tensor.scalar(mapped)));
            trace.put("#unet-layers", List.of(Tensor.scalar(layers.size())));
        }
        return trace;
    }

    private static void assertBitIdentical(Map<String, List<Tensor>> a, Map<String, List<Tensor>> b) {
        assertThat(a.keySet()).isEqualTo(b.keySet());
        for (String k : a.keySet()) {
            if (k.startsWith("#")) {
                continue;
            }
            List<Tensor> la = a.get(k), lb = b.get(k);
            assertThat(la).as(k).hasSameSizeAs(lb);
            for (int i = 0; i < la.size(); i++) {
                float[] x = la.get(i).data(), y = lb.get(i).data();
                assertThat(x.length).as(k).isEqualTo(y.length);
                for (int j = 0; j < x.length; j++) {
                    if (Float.floatToRawIntBits(x[j]) != Float.floatToRawIntBits(y[j])) {
                        throw new AssertionError(k + "[" + i + "] element " + j + ": " + x[j] + " vs " + y[j]);
                    }
                }
            }
        }
    }

    @Test
    void mappedWeightsGiveBitIdenticalResults() {
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            Path golden = Golden.root().resolve("tiny-vega");
            Path dir = dtype == DType.F32 ? golden : Fp16Folders.copy(golden, tmp.resolve(dtype.name()), dtype);
            Map<String, List<Tensor>> mapped = Fp16Folders.withProperty(WeightResidency.MIN_ELEMENTS_PROPERTY, "1",
                    () -> run(dir));
            Map<String, List<Tensor>> fp32 = Fp16Folders.withProperty(WeightResidency.FORCE_FP32_PROPERTY, "true",
                    () -> run(dir));
            float layers = mapped.get("#unet-layers").get(0).get();
            assertThat(mapped.get("#mapped-unet-layers").get(0).get()).as("every UNet layer weight mapped, " + dtype)
                    .isEqualTo(layers);
            assertThat(fp32.get("#mapped-unet-layers").get(0).get()).isZero();
            // the trace covers prompt embeddings (text encoders), every UNet output and the decoded image (VAE)
            assertThat(mapped.keySet()).anyMatch(k -> k.contains("prompt_embeds")).anyMatch(k -> k.contains("step_unet_out"))
                    .anyMatch(k -> k.contains("image"));
            assertBitIdentical(mapped, fp32);
        }
    }
}

package dev.vega4j.pipeline;

import java.util.Optional;

/**
 * A loaded text-to-image model (Vega, SDXL, SSD-1B or SD 1.5) that turns {@link GenerationRequest}s into images.
 * The CLI and the server are thin layers over this interface. Implementations are not thread-safe: one generation at a
 * time per instance (the CPU is the bottleneck anyway).
 *
 * <pre>{@code
 * try (Pipeline vega = Pipelines.load("segmind/Segmind-Vega")) {
 *     GenerationResult r = vega.generate(GenerationRequest.builder("a red fox in the snow").seed(42).build());
 *     ImageIO.write(r.images().get(0), "png", new File("fox.png"));
 * }
 * }</pre>
 */
public interface Pipeline extends AutoCloseable {

    /** Name, family and defaults of the loaded model. */
    ModelInfo info();

    default GenerationResult generate(GenerationRequest request) {
        return generate(request, ProgressListener.NONE, new Cancellation());
    }

    GenerationResult generate(GenerationRequest request, ProgressListener progress, Cancellation cancellation);

    /**
     * The modules adapters (LoRA) can patch; empty when this pipeline takes none (it has no diffusers UNet). A server
     * asks this rather than the pipeline's class.
     */
    default Optional<AdaptableModules> adaptableModules() {
        return Optional.empty();
    }

    @Override
    default void close() {}

    /** What a caller needs to know to fill a request. */
    record ModelInfo(String name, Family family, int defaultWidth, int defaultHeight, String defaultScheduler) {}

    enum Family { SD15, SDXL }
}

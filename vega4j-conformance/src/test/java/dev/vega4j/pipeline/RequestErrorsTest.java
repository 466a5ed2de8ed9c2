package dev.vega4j.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.conformance.Golden;
import dev.vega4j.lora.LoraComponent;
import dev.vega4j.lora.LoraTargets;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.prompt.PromptAttention;
import dev.vega4j.schedulers.SchedulerRegistry;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the caller of a generation got wrong is an {@link InvalidRequestException}, so a server can answer it with 400
 * and everything else as its own failure; and a loaded pipeline offers its adaptable modules without a cast.
 */
class RequestErrorsTest {
    static DiffusionPipeline tiny;

    @BeforeAll
    static void load() {
        tiny = PipelineLoader.load(Golden.root().resolve("tiny-vega"));
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    @Test
    void requestChecksAreInvalidRequests() {
        assertThatThrownBy(() -> GenerationRequest.builder("x").size(100, 64).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> GenerationRequest.builder("x").steps(0).build())
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> GenerationRequest.builder("x").scheduler("Turbo 9000").build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("valid names");
        assertThatThrownBy(() -> SchedulerRegistry.resolve("nope")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> PromptAttention.parse("(x:1.2.3)")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void aStrengthThatLeavesNoStepIsTheRequestsFault() {
        GenerationRequest req = GenerationRequest.builder("x").steps(2).strength(0.1)
                .initImage(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB)).seed(1).build();
        assertThatThrownBy(() -> tiny.generate(req)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("leaves no denoising step");
    }

    @Test
    void aLoadedPipelineOffersItsAdaptableModules() {
        AdaptableModules m = tiny.adaptableModules().orElseThrow();
        assertThat(m.unet()).isSameAs(((UNetNoisePredictor) tiny.unet()).model());
        assertThat(m.textEncoders()).hasSize(2);
        LoraTargets t = LoraTargets.of(m);
        for (LoraComponent c : LoraComponent.values()) {
            assertThat(t.layers(c).keySet()).as(c.name()).isNotEmpty()
                    .isEqualTo(LoraTargets.of(tiny).layers(c).keySet());
        }
        Pipeline plain = new Pipeline() {
            @Override
            public ModelInfo info() {
                return new ModelInfo("plain", Family.SDXL, 8, 8, "Euler");
            }

            @Override
            public GenerationResult generate(GenerationRequest r, ProgressListener p, Cancellation c) {
                throw new UnsupportedOperationException();
            }
        };
        assertThat(plain.adaptableModules()).isEmpty();
        assertThatThrownBy(() -> LoraTargets.of(plain)).hasMessageContaining("plain has none");
    }
}

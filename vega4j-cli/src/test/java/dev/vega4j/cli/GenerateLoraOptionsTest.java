package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.hub.DownloadListener;
import dev.vega4j.lora.LoraAdapter;
import dev.vega4j.lora.LoraSpec;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.ProgressListener;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vega generate --lora / --preset vegart} with a fake pipeline and a recording LoRA loader. */
class GenerateLoraOptionsTest {
    @TempDir
    Path tmp;

    final List<GenerationRequest> requests = new ArrayList<>();
    final List<List<LoraSpec>> loraCalls = new ArrayList<>();
    final List<String> loaded = new ArrayList<>();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    final class Fake implements Pipeline {
        @Override
        public ModelInfo info() {
            return new ModelInfo("fake", Family.SDXL, 16, 16, "Euler");
        }

        @Override
        public GenerationResult generate(GenerationRequest r, ProgressListener p, Cancellation c) {
            requests.add(r);
            return new GenerationResult(List.of(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB)),
                    new GenerationResult.UsedParameters(r.prompt(), r.negativePrompt(), r.steps(), r.guidanceScale(), 7,
                            r.scheduler(), 16, 16, 1, "fake", null), 1);
        }
    }

    int run(boolean realLoraLoader, String... args) {
        GenerateCommand cmd = new GenerateCommand((m, p) -> {
            loaded.add(m);
            return new Fake();
        });
        if (!realLoraLoader) {
            cmd.loraLoader = (specs, p) -> {
                loraCalls.add(specs);
                return List.<LoraAdapter>of();
            };
        }
        cmd.workDir = tmp;
        cmd.terminal = false;
        CommandLine cl = new CommandLine(cmd);
        cl.setExecutionExceptionHandler(new VegaCli.ErrorHandler());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void presetVegartSetsLcmFourStepsNoGuidanceAndTheVegaRtLora() {
        assertThat(run(false, "a cat", "--preset", "vegart", "--lora", "style.safetensors:0.5")).isZero();
        GenerationRequest r = requests.getFirst();
        assertThat(r.steps()).isEqualTo(4);
        assertThat(r.guidanceScale()).isEqualTo(1.0);
        assertThat(r.scheduler()).isEqualTo("LCM");
        assertThat(loraCalls.getFirst()).containsExactly(new LoraSpec("segmind/Segmind-VegaRT", 1f),
                new LoraSpec("style.safetensors", 0.5f));
    }

    @Test
    void explicitOptionsWinOverThePreset() {
        assertThat(run(false, "a cat", "--preset", "VegaRT", "--steps", "6", "--cfg", "1.5")).isZero();
        GenerationRequest r = requests.getFirst();
        assertThat(r.steps()).isEqualTo(6);
        assertThat(r.guidanceScale()).isEqualTo(1.5);
        assertThat(r.scheduler()).isEqualTo("LCM");
    }

    @Test
    void badLorasAndPresetsFailInOneLineBeforeTheModelIsLoaded() {
        assertThat(run(false, "a cat", "--preset", "turbo")).isNotZero();
        assertThat(err.toString()).contains("unknown preset 'turbo'");
        assertThat(run(true, "a cat", "--lora", tmp.resolve("missing.safetensors") + ":0.7")).isNotZero();
        assertThat(err.toString()).contains("missing.safetensors").doesNotContain("\tat ");
        assertThat(loaded).isEmpty();
        assertThat(requests).isEmpty();
    }

    @Test
    void serveTakesRepeatableLoras() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--lora", "segmind/Segmind-VegaRT", "--lora", "style.safetensors:0.5");
        assertThat(serve.loras).containsExactly("segmind/Segmind-VegaRT", "style.safetensors:0.5");
    }
}

package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.VegaException;
import dev.vega4j.hub.DownloadListener;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.ProgressListener;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vega generate} in-process with a fake pipeline: files, metadata, names, and one-line errors. */
class GenerateCommandTest {
    @TempDir
    Path tmp;

    final List<GenerationRequest> requests = new ArrayList<>();
    final List<String> loadedModels = new ArrayList<>();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    /** Draws flat images; seed -1 becomes 1234; knows two schedulers. */
    final class FakePipeline implements Pipeline {
        @Override
        public ModelInfo info() {
            return new ModelInfo("fake-vega", Family.SDXL, 64, 48, "Euler");
        }

        @Override
        public GenerationResult generate(GenerationRequest r, ProgressListener progress, Cancellation cancellation) {
            requests.add(r);
            String sched = r.scheduler() == null ? "Euler" : r.scheduler();
            if (!List.of("Euler", "DDIM").contains(sched)) {
                throw new VegaException("unknown scheduler '" + sched + "' (known: Euler, DDIM)");
            }
            int w = r.width() != null ? r.width() : 64;
            int h = r.height() != null ? r.height() : 48;
            progress.onProgress(new ProgressListener.ProgressEvent(ProgressListener.Phase.ENCODE_PROMPT, 0, r.steps(), 1));
            for (int i = 1; i <= r.steps(); i++) {
                progress.onProgress(new ProgressListener.ProgressEvent(ProgressListener.Phase.DENOISE, i, r.steps(),
                        i * 500_000_000L));
            }
            progress.onProgress(new ProgressListener.ProgressEvent(ProgressListener.Phase.DECODE, r.steps(), r.steps(), 1));
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < r.samples(); i++) {
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                img.setRGB(0, 0, 0x102030 + i);
                images.add(img);
            }
            long seed = r.seed() == -1 ? 1234 : r.seed();
            return new GenerationResult(images, new GenerationResult.UsedParameters(r.prompt(), r.negativePrompt(),
                    r.steps(), r.guidanceScale(), seed, sched, w, h, r.samples(), "fake-vega",
                    r.initImage() != null ? r.strength() : null), 5);
        }
    }

    int run(String... args) {
        GenerateCommand cmd = new GenerateCommand(this::load);
        cmd.workDir = tmp;
        cmd.terminal = false;
        CommandLine cl = new CommandLine(cmd);
        cl.setExecutionExceptionHandler(new VegaCli.ErrorHandler());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    Pipeline load(String model, DownloadListener progress) {
        loadedModels.add(model);
        return new FakePipeline();
    }

    @Test
    void writesPngWithA1111ParametersAndReportsSeedAndPath() throws Exception {
        Path png = tmp.resolve("cat.png");
        int code = run("a cat", "--negative-prompt", "blurry", "--steps", "3", "--guidance", "5", "--seed", "42",
                "--width", "96", "--height", "64", "--scheduler", "DDIM", "-o", png.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(loadedModels).containsExactly("segmind/Segmind-Vega");
        GenerationRequest r = requests.getFirst();
        assertThat(r.steps()).isEqualTo(3);
        assertThat(r.guidanceScale()).isEqualTo(5.0);
        assertThat(r.width()).isEqualTo(96);
        assertThat(r.scheduler()).isEqualTo("DDIM");
        String params = ImageFiles.readParameters(Files.readAllBytes(png));
        assertThat(params).isEqualTo("a cat\nNegative prompt: blurry\nSteps: 3, Sampler: DDIM, CFG scale: 5, Seed: 42, "
                + "Size: 96x64, Model: fake-vega");
        assertThat(ImageFiles.read(png).getWidth()).isEqualTo(96);
        assertThat(out.toString()).contains("seed: 42").contains("wrote " + png).contains("1 image 96x64, 3 steps DDIM");
        assertThat(err.toString()).contains("loading segmind/Segmind-Vega").contains("denoise 100% [")
                .contains("3/3");
    }

    @Test
    void segmindDefaultsAndFreshDefaultNames() throws Exception {
        assertThat(run("a fox")).as(err.toString()).isZero();
        GenerationRequest r = requests.getFirst();
        assertThat(r.steps()).isEqualTo(25);
        assertThat(r.guidanceScale()).isEqualTo(7.5);
        assertThat(r.seed()).isEqualTo(-1);
        assertThat(r.width()).isNull(); // the model's default size
        assertThat(r.scheduler()).isNull();
        assertThat(tmp.resolve("vega-1234.png")).exists();
        assertThat(out.toString()).contains("seed: 1234");

        // a second run with the same seed must not overwrite the first image
        byte[] first = Files.readAllBytes(tmp.resolve("vega-1234.png"));
        assertThat(run("another fox", "--steps", "2")).isZero();
        assertThat(tmp.resolve("vega-1234_2.png")).exists();
        assertThat(Files.readAllBytes(tmp.resolve("vega-1234.png"))).isEqualTo(first);
    }

    @Test
    void severalSamplesAreNumbered() throws Exception {
        Path target = tmp.resolve("out/fox.jpg");
        assertThat(run("a fox", "--samples", "2", "--steps", "2", "-o", target.toString())).as(err.toString())
                .isZero();
        assertThat(tmp.resolve("out/fox-1.jpg")).exists();
        assertThat(tmp.resolve("out/fox-2.jpg")).exists();
        assertThat(Files.readAllBytes(tmp.resolve("out/fox-1.jpg"))).startsWith((byte) 0xFF, (byte) 0xD8);

        assertThat(run("a fox", "--samples", "2", "--steps", "2", "--seed", "7")).isZero();
        assertThat(ImageFiles.readParameters(Files.readAllBytes(tmp.resolve("vega-7-2.png")))).contains("Seed: 7");
        assertThat(tmp.resolve("vega-7-1.png")).exists();
    }

    @Test
    void badSizeIsOneLineAndNothingIsLoaded() {
        int code = run("a cat", "--width", "100");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo(
                "vega: error: width must be a multiple of 8 (the VAE's downscaling factor), got 100");
        assertThat(loadedModels).isEmpty();
        assertThat(run("a cat", "-o", tmp.resolve("x.webp").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("use a .png or .jpg file name");
    }

    @Test
    void unreadableInitImageIsOneLine() throws Exception {
        assertThat(run("a cat", "--init-image", tmp.resolve("missing.png").toString())).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("vega: error: image file not found: " + tmp.resolve("missing.png"));
        Path text = Files.writeString(tmp.resolve("notes.png"), "not an image");
        err.getBuffer().setLength(0);
        assertThat(run("a cat", "--init-image", text.toString(), "--strength", "0.5")).isEqualTo(1);
        assertThat(err.toString()).contains("is not a readable image");
        assertThat(loadedModels).isEmpty();
    }

    @Test
    void img2imgPassesImageAndStrength() throws Exception {
        Path init = tmp.resolve("init.png");
        ImageFiles.write(new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB), null, init);
        assertThat(run("a cat", "--init-image", init.toString(), "--strength", "0.6", "--steps", "2", "--seed", "1"))
                .as(err.toString()).isZero();
        assertThat(requests.getFirst().initImage()).isNotNull();
        assertThat(requests.getFirst().strength()).isEqualTo(0.6);
        assertThat(ImageFiles.readParameters(Files.readAllBytes(tmp.resolve("vega-1.png"))))
                .contains("Denoising strength: 0.6");
        assertThat(run("a cat", "--mask", init.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("--mask needs --init-image");
    }

    @Test
    void pipelineErrorsAreOneLineWithNonZeroExit() {
        assertThat(run("a cat", "--scheduler", "Warp Drive", "--steps", "1")).isEqualTo(1);
        assertThat(err.toString()).contains("vega: error: unknown scheduler 'Warp Drive'");
        assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void unknownSchedulerFailsBeforeTheModelLoadsAndListsTheValidNames() {
        assertThat(run("a cat", "--scheduler", "Warp Drive")).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("vega: error: unknown scheduler 'Warp Drive'; valid names: ")
                .contains("DPM++ 2M Karras").contains("Euler a");
        assertThat(loadedModels).isEmpty();
    }

    @Test
    void unwritableOutputFailsBeforeTheModelLoads() throws Exception {
        Path blocker = Files.writeString(tmp.resolve("notes"), "keep me");
        assertThat(run("a cat", "-o", blocker.resolve("cat.png").toString())).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("vega: error: cannot write " + blocker.resolve("cat.png") + ": "
                + blocker + " exists and is not a folder");
        assertThat(run("a cat", "--samples", "2", "-o", blocker.resolve("cats.png").toString())).isEqualTo(1);
        assertThat(loadedModels).isEmpty();
        assertThat(Files.readString(blocker)).isEqualTo("keep me");
    }

    @Test
    void vegaRegistersDownloadAndGenerate() {
        assertThat(VegaCli.commandLine().getSubcommands()).containsKeys("download", "generate");
    }

    @Test
    void progressBarFormats() {
        assertThat(ProgressBar.stepRate(2.5)).isEqualTo("2.50 it/s");
        assertThat(ProgressBar.stepRate(0.125)).isEqualTo("8.0 s/it");
        assertThat(ProgressBar.bytes(6_938_078_000L)).isEqualTo("6.9 GB");
        assertThat(ProgressBar.bytes(999)).isEqualTo("999 B");
        assertThat(ProgressBar.duration(3725)).isEqualTo("1:02:05");
        assertThat(ProgressBar.duration(70)).isEqualTo("1:10");
        StringWriter w = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(w), true, ProgressBar.Unit.STEPS);
        bar.start("denoise", 4);
        bar.update(4, 2.0);
        bar.finish();
        assertThat(w.toString()).startsWith("\rdenoise 100% [############################] 4/4  2.00 it/s");
    }
}

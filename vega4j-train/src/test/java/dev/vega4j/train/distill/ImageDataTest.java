package dev.vega4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.conformance.Golden;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.Map;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image–caption data: VAE-encoded latents feed one training step; bad inputs get readable errors. */
class ImageDataTest {
    @TempDir
    Path tmp;

    @Test
    void imageCaptionPairsTrainOneStep() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, (x * 32) << 16 | (y * 32) << 8 | 128);
            }
        }
        ImageIO.write(img, "png", data.resolve("a.png").toFile());
        Files.writeString(data.resolve("a.txt"), "a colourful gradient\n");
        TrainingData td = TrainingData.load(data);
        assertThat(td.examples()).singleElement().satisfies(e -> assertThat(e.caption()).isEqualTo("a colourful gradient"));

        Path teacher = Golden.root().resolve("tiny-sdxl");
        Path student = tmp.resolve("student");
        StudentPruner.prune(teacher, PruneRecipe.halve(StudentPruner.teacherDepths(teacher)), student);
        DistillationConfig c = DistillationConfig.builder().teacher(teacher).student(student).data(data)
                .out(tmp.resolve("out")).steps(1).seed(3).latentSize(4).checkpointEvery(0).gradientCheckpointing(true)
                .build();
        var history = new DistillationTrainer(c).train(null);
        assertThat(history).singleElement().satisfies(t -> assertThat(t.total()).isFinite().isPositive());
    }

    @Test
    void latentsFilesTrainOneStepWithTheirPromptsAndWrongSizesAreNamed() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("batch-out/latents"));
        Tensor x0 = new TorchGenerator(11).randn(1, 4, 4, 4);
        SafetensorsWriter.write(out.resolve("a.safetensors"), Map.of(TrainingData.LATENTS, x0),
                Map.of(TrainingData.PROMPT, "a red fox"));
        // the batch output folder (with images/ absent) is read through its latents/
        TrainingData td = TrainingData.load(tmp.resolve("batch-out"));
        assertThat(td.examples()).singleElement().satisfies(e -> {
            assertThat(e.caption()).isEqualTo("a red fox");
            assertThat(e.latents()).isEqualTo(out.resolve("a.safetensors"));
            assertThat(e.image()).isNull();
        });

        Path teacher = Golden.root().resolve("tiny-sdxl");
        Path student = tmp.resolve("student");
        StudentPruner.prune(teacher, PruneRecipe.halve(StudentPruner.teacherDepths(teacher)), student);
        DistillationConfig c = DistillationConfig.builder().teacher(teacher).student(student)
                .data(tmp.resolve("batch-out")).out(tmp.resolve("out")).steps(1).seed(3).latentSize(4)
                .checkpointEvery(0).build();
        DistillationTrainer t = new DistillationTrainer(c);
        assertThat(t.teacherLatents()).as("no teacher run for examples that bring their latents").isNull();
        assertThat(t.train(null)).singleElement().satisfies(r -> assertThat(r.total()).isFinite().isPositive());

        DistillationConfig wrongSize = c.toBuilder().latentSize(8).out(tmp.resolve("out8")).build();
        assertThatThrownBy(() -> new DistillationTrainer(wrongSize).train(null)).isInstanceOf(VegaException.class)
                .hasMessageContaining("a.safetensors: latents of shape [1, 4, 4, 4], training needs [1, 4, 8, 8]");

        SafetensorsWriter.write(out.resolve("b.safetensors"), Map.of("x", x0), Map.of());
        assertThatThrownBy(() -> TrainingData.load(out)).hasMessageContaining("b.safetensors is not a latents file");
    }

    @Test
    void readableErrors() throws Exception {
        assertThatThrownBy(() -> TrainingData.load(tmp.resolve("nope.txt"))).isInstanceOf(VegaException.class)
                .hasMessageContaining("does not exist");
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "\n# nothing\n");
        assertThatThrownBy(() -> TrainingData.load(empty)).hasMessageContaining("no training examples");
        assertThatThrownBy(() -> PruneRecipe.of("vega", new int[] {1, 2}, null, true))
                .hasMessageContaining("3-level");
        assertThatThrownBy(() -> PruneRecipe.of("custom", new int[] {1, 2}, "1,1,1", true))
                .hasMessageContaining("levels");
        assertThatThrownBy(() -> StudentPruner.prune(Golden.root().resolve("tiny-sdxl"),
                new PruneRecipe(new int[] {1, 3}, true), tmp.resolve("x")))
                .hasMessageContaining("no teacher counterpart");
    }
}

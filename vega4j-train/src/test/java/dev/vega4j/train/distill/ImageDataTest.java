package dev.vega4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.conformance.Golden;
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

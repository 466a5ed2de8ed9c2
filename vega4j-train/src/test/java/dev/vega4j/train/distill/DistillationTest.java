package dev.vega4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.conformance.Golden;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.models.unet.UNet2DConditionModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prune tiny-sdxl into a student, train a handful of steps, resume, and reload the result. */
class DistillationTest {
    @TempDir
    Path tmp;

    @Test
    void pruneTrainResumeAndReload() throws Exception {
        Path teacher = Golden.root().resolve("tiny-sdxl");
        Path student = tmp.resolve("student");
        int[] depths = StudentPruner.teacherDepths(teacher);
        assertThat(depths).containsExactly(1, 2);
        StudentPruner.Result r = StudentPruner.prune(teacher, PruneRecipe.halve(depths), student);
        assertThat(r.studentParams()).isLessThan(r.teacherParams());

        JsonNode cfg = new ObjectMapper().readTree(Files.readString(student.resolve("unet/config.json")));
        assertThat(cfg.get("transformer_layers_per_block").toString()).isEqualTo("[1,1]");
        assertThat(cfg.get("mid_block_type").asText()).isEqualTo("UNetMidBlock2D");
        assertStudentKeysAreDiffusers(student);
        assertThat(student.resolve("text_encoder_2/model.safetensors")).exists();
        assertThat(student.resolve("model_index.json")).exists();

        Path prompts = tmp.resolve("prompts.txt");
        Files.writeString(prompts, "a photo of a cat\na red car on a road\n# comment\nmountains at dawn\n");
        Path out = tmp.resolve("out");
        DistillationConfig c = DistillationConfig.builder().teacher(teacher).student(student).data(prompts).out(out)
                .steps(3).lr(3e-4).seed(1).weightDecay(0.0).latentSize(4).checkpointEvery(2).build();
        List<String> heldOut = List.of("a bowl of fruit", "a city at night");
        DistillationTrainer t = new DistillationTrainer(c);
        LossTerms before = t.evaluate(heldOut, 1, 99);
        List<LossTerms> history = t.train(null);
        assertThat(history).hasSize(3);
        assertThat(out.resolve("training/optimizer.safetensors")).exists();

        DistillationTrainer resumed = new DistillationTrainer(c.withSteps(5).withResume(true));
        assertThat(resumed.step()).isEqualTo(3);
        resumed.train(null);
        assertThat(resumed.step()).isEqualTo(5);
        LossTerms after = resumed.evaluate(heldOut, 1, 99);
        System.out.println("held-out before " + before.format() + "\nheld-out after  " + after.format());
        // the tiny teacher has random weights (it is no denoiser), so only the feature and total terms are
        // expected to fall in a handful of steps; the CLI runs record the longer curves
        assertThat(after.feat()).isLessThan(before.feat());
        assertThat(after.total()).isLessThan(before.total());
        assertThat(Files.readAllLines(out.resolve("training/loss.csv"))).hasSize(6);

        assertStudentKeysAreDiffusers(out);
        UNet2DConditionModel.load(out.resolve("unet"));
        try (var pipe = dev.vega4j.pipeline.Pipelines.load(out.toString())) {
            assertThat(pipe).isNotNull();
        }
    }

    /** Exactly the parameter names diffusers' UNet2DConditionModel has for the written config, nothing else. */
    private static void assertStudentKeysAreDiffusers(Path pipeline) {
        UNetConfig sc = UNetConfig.load(pipeline.resolve("unet/config.json"));
        try (SafetensorsWeights w = SafetensorsWeights.open(
                pipeline.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            assertThat(w.allNames()).containsExactlyInAnyOrderElementsOf(
                    UNet2DConditionModel.parameterShapes(sc).keySet());
            assertThat(w.allNames()).noneMatch(n -> n.startsWith("mid_block.attentions")
                    || n.contains("transformer_blocks.1."));
        }
    }
}

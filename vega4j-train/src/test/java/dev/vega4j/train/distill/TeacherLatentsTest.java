package dev.vega4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.PipelineLoader;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.pipeline.Trace;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompt-only data with teacher-generated latents: produced by the teacher, cached, reused on resume, trainable. */
class TeacherLatentsTest {
    @TempDir
    Path tmp;

    @Test
    void teacherLatentsAreThePipelinesFinalLatentsCachedAndReused() throws Exception {
        Path teacher = Golden.root().resolve("tiny-sdxl");
        Path student = tmp.resolve("student");
        StudentPruner.prune(teacher, PruneRecipe.halve(StudentPruner.teacherDepths(teacher)), student);
        Path prompts = tmp.resolve("prompts.txt");
        Files.writeString(prompts, "a photo of a cat\na red car on a road\n");
        Path out = tmp.resolve("out");
        int teacherSteps = 3, latentSize = 4;
        DistillationConfig c = DistillationConfig.builder().teacher(teacher).student(student).data(prompts).out(out)
                .steps(4).lr(3e-4).seed(5).weightDecay(0.0).latentSize(latentSize).checkpointEvery(2)
                .latents(LatentSource.TEACHER).teacherSteps(teacherSteps).build();

        DistillationTrainer t = new DistillationTrainer(c);
        int[] progress = new int[1];
        t.prepareLatents((done, total) -> progress[0] = done);
        assertThat(t.teacherLatents().generated()).isEqualTo(2);
        assertThat(progress[0]).isEqualTo(2);
        Path cache = out.resolve("training/teacher_latents.safetensors");
        assertThat(cache).exists();

        // each latent is what a direct teacher pipeline run gives for that prompt and seed
        try (DiffusionPipeline pipe = PipelineLoader.load(teacher)) {
            int px = latentSize * pipe.vae().scaleFactor();
            for (String p : List.of("a photo of a cat", "a red car on a road")) {
                long seed = TeacherLatents.seedFor(5, p);
                GenerationRequest r = GenerationRequest.builder(p).steps(teacherSteps).size(px, px).seed(seed).build();
                Tensor direct = pipe.run(r, seed, pipe.schedulers().create(null), ProgressListener.NONE,
                        new Cancellation(), Trace.NONE).finalLatents();
                Tensor got = t.teacherLatents().get(p);
                assertThat(got.shape()).containsExactly(1, 4, latentSize, latentSize);
                assertThat(got.data()).containsExactly(direct.data());
            }
            // the two prompts get different seeds, hence different latents
            assertThat(t.teacherLatents().get("a photo of a cat").data())
                    .isNotEqualTo(t.teacherLatents().get("a red car on a road").data());
        }

        List<String> heldOut = List.of("a bowl of fruit");
        LossTerms before = t.evaluate(heldOut, 1, 99);
        assertThat(t.train(null)).hasSize(4);

        // resume: the cached latents are reused, nothing is regenerated
        DistillationTrainer resumed = new DistillationTrainer(c.withSteps(8).withResume(true));
        resumed.prepareLatents(null);
        assertThat(resumed.teacherLatents().generated()).isZero();
        assertThat(resumed.teacherLatents().get("a photo of a cat").data())
                .containsExactly(t.teacherLatents().get("a photo of a cat").data());
        resumed.train(null);
        assertThat(resumed.step()).isEqualTo(8);
        LossTerms after = resumed.evaluate(heldOut, 1, 99);
        System.out.println("teacher latents: held-out before " + before.format() + "\n                 held-out after  "
                + after.format());
        assertThat(after.feat()).isLessThan(before.feat());
        assertThat(after.total()).isLessThan(before.total());

        // other generation settings do not reuse the cache
        TeacherLatents other = new TeacherLatents(teacher, cache, 5, teacherSteps + 1, latentSize);
        other.prepare(List.of("a photo of a cat"), null);
        assertThat(other.generated()).isEqualTo(1);
    }

    @Test
    void randomLatentsNeedNoTeacherRun() throws Exception {
        Path teacher = Golden.root().resolve("tiny-sdxl");
        Path student = tmp.resolve("student");
        StudentPruner.prune(teacher, PruneRecipe.halve(StudentPruner.teacherDepths(teacher)), student);
        Path prompts = tmp.resolve("prompts.txt");
        Files.writeString(prompts, "a photo of a cat\n");
        Path out = tmp.resolve("out");
        DistillationConfig c = DistillationConfig.defaults(teacher, student, prompts, out, 1)
                .withLatents(LatentSource.RANDOM, 2);
        DistillationTrainer t = new DistillationTrainer(c);
        t.train(null);
        assertThat(t.teacherLatents()).isNull();
        assertThat(out.resolve("training/teacher_latents.safetensors")).doesNotExist();
    }
}

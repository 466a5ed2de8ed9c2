package dev.vega4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A teacher whose UNet folder holds only a variant file (a Hub download's fp16 weights) is found like a plain one. */
class StudentPrunerVariantTest {
    @TempDir
    Path tmp;

    @Test
    void prunesATeacherWithOnlyAnFp16VariantFile() throws IOException {
        Path teacher = tmp.resolve("teacher");
        copyTree(Golden.root().resolve("tiny-sdxl"), teacher);
        Path unet = teacher.resolve("unet");
        Files.move(unet.resolve("diffusion_pytorch_model.safetensors"),
                unet.resolve("diffusion_pytorch_model.fp16.safetensors"));

        Path student = tmp.resolve("student");
        StudentPruner.Result r = StudentPruner.prune(teacher,
                PruneRecipe.halve(StudentPruner.teacherDepths(teacher)), student);

        assertThat(r.studentParams()).isLessThan(r.teacherParams());
        assertThat(student.resolve("unet/diffusion_pytorch_model.safetensors")).exists();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        }
    }
}
